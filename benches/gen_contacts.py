#!/usr/bin/env python3
# The project's reference contact generator for benches/run.sh. Changing what
# it writes changes every benchmark file, so results stop being comparable.
"""Deterministic contacts CSV generator for drippulse benchmarks.

Usage: gen_contacts.py ROWS SEED OUTPUT

Columns: email,first_name,last_name,company,signup_id
- ~1.0% of rows repeat an earlier email with different case and/or
  surrounding whitespace (they must dedupe to the earlier key after
  normalization: trim + lowercase).
- ~0.5% of rows carry an invalid email (no @, two @, empty local/domain,
  no dot in domain, embedded space, empty string).
- ~3% of company names contain a comma, so they are quoted (exercises the
  CSV quoting path).
Same (ROWS, SEED) -> byte-identical file. 1,000,000 rows ~ 90 MB.
"""
import csv
import random
import sys

FIRST = ["james", "mary", "robert", "patricia", "john", "jennifer", "michael",
         "linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
         "joseph", "jessica", "thomas", "sarah", "chris", "karen", "daniel",
         "lisa", "matthew", "nancy", "anthony", "betty", "mark", "sandra",
         "donald", "ashley", "steven", "kimberly", "andrew", "emily", "paul",
         "donna", "joshua", "michelle", "kenneth", "carol", "kevin", "amanda",
         "brian", "melissa", "george", "deborah", "timothy", "stephanie",
         "ronald", "rebecca", "jason", "laura", "edward", "helen", "jeffrey",
         "sharon", "ryan", "cynthia", "jacob", "kathleen", "gary", "amy",
         "nicholas", "angela", "eric", "anna", "jonathan", "brenda", "stephen",
         "pamela", "larry", "emma", "justin", "nicole", "scott", "samantha",
         "brandon", "katherine", "benjamin", "christine", "samuel", "debra",
         "gregory", "rachel", "alexander", "carolyn", "frank", "janet",
         "patrick", "maria", "raymond", "olivia", "jack", "heather", "dennis",
         "helena", "jerry", "catherine", "tyler", "diane", "aaron", "julie"]
LAST = ["smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
        "davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez",
        "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark",
        "ramirez", "lewis", "robinson", "walker", "young", "allen", "king",
        "wright", "scott", "torres", "nguyen", "hill", "flores", "green",
        "adams", "nelson", "baker", "hall", "rivera", "campbell", "mitchell",
        "carter", "roberts", "gomez", "phillips", "evans", "turner", "diaz",
        "parker", "cruz", "edwards", "collins", "reyes", "stewart", "morris",
        "morales", "murphy", "cook", "rogers", "gutierrez", "ortiz", "morgan",
        "cooper", "peterson", "bailey", "reed", "kelly", "howard", "ramos",
        "kim", "cox", "ward", "richardson", "watson", "brooks", "chavez",
        "wood", "james", "bennett", "gray", "mendoza", "ruiz", "hughes",
        "price", "alvarez", "castillo", "sanders", "patel", "myers", "long"]
COMPANY_A = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay",
             "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent",
             "Massive", "Aperture", "Gringotts", "Oscorp", "Pied Piper",
             "Dunder Mifflin", "Prestige", "Blue Sun", "Monarch", "Nakatomi"]
COMPANY_B = ["Labs", "Systems", "Industries", "Analytics", "Logistics",
             "Software", "Holdings", "Partners", "Dynamics", "Networks",
             "Robotics", "Foods", "Media", "Health", "Energy", "Capital"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
           "icloud.com", "proton.me", "fastmail.com", "example.org",
           "corp.example.com", "mail.example.net", "acme.io", "globex.co.uk"]
INVALID_TEMPLATES = [
    "{l}{n}{d}",            # missing @
    "{l}{n}@@{d}",          # double @
    "@{d}",                 # empty local part
    "{l}{n}@",              # empty domain
    "{l}{n}@localhost",     # no dot in domain
    "{l} {n}@{d}",          # embedded space
    "",                     # empty
    "{l}{n}@{d}@{d}",       # two @
]


def case_ws_variant(rng, email):
    """Same mailbox, different case and/or surrounding whitespace."""
    kind = rng.randrange(4)
    if kind == 0:
        v = email.upper()
    elif kind == 1:
        v = email[:1].upper() + email[1:]
    elif kind == 2:
        v = "".join(c.upper() if rng.random() < 0.3 else c for c in email)
    else:
        v = email
    ws = rng.randrange(4)
    if ws == 0:
        v = " " + v
    elif ws == 1:
        v = v + "  "
    elif ws == 2:
        v = "\t" + v + " "
    elif kind == 3:
        v = " " + v  # guarantee the variant differs textually
    return v


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    rows = int(sys.argv[1])
    seed = int(sys.argv[2])
    out = sys.argv[3]
    rng = random.Random(seed)
    valid = []  # earlier valid emails, source for duplicates
    n_dup = n_inv = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["email", "first_name", "last_name", "company", "signup_id"])
        for i in range(rows):
            first = rng.choice(FIRST)
            last = rng.choice(LAST)
            r = rng.random()
            if r < 0.010 and valid:
                email = case_ws_variant(rng, rng.choice(valid))
                n_dup += 1
            elif r < 0.015:
                t = rng.choice(INVALID_TEMPLATES)
                email = t.format(l=last, n=i, d=rng.choice(DOMAINS))
                n_inv += 1
            else:
                sep = rng.choice((".", "_", ""))
                email = f"{first}{sep}{last}{i}@{rng.choice(DOMAINS)}"
                if len(valid) < 200_000:
                    valid.append(email)
                else:
                    valid[rng.randrange(200_000)] = email
            company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
            if rng.random() < 0.03:
                company += ", Inc."
            signup_id = f"su_{seed:04x}{i:010d}{rng.getrandbits(24):06x}"
            w.writerow([email, first.capitalize(), last.capitalize(), company,
                        signup_id])
    sys.stderr.write(f"wrote {rows} rows to {out}: ~{n_dup} case/ws duplicates, "
                     f"~{n_inv} invalid emails\n")


if __name__ == "__main__":
    main()

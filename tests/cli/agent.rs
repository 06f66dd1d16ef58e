//! `drippulse execute-agent` against a sandbox server.

use crate::harness::{write_file, World};

#[test]
fn agent_same_payload_twice_runs_once() {
    let world = World::new();
    let run = || {
        world
            .cmd()
            .args([
                "--output",
                "json",
                "execute-agent",
                "agt_1",
                "--field",
                "lead_ref=lead_9",
                "--field",
                "plan=pro",
            ])
            .run()
            .expect_code(0)
            .json()
    };
    let first = run();
    let second = run();
    assert_eq!(
        first["id"], second["id"],
        "the replay returns the stored execution"
    );
    assert_eq!(first["status"], "succeeded");
    assert_eq!(world.sandbox().stats()["agent_executions"], 1);

    let executions = world.sandbox().get_json("/api/v1/agents/agt_1/executions");
    assert_eq!(executions["total_count"], 1);
    assert!(executions["executions"][0]["idempotency_key"]
        .as_str()
        .unwrap()
        .starts_with("dp-"));
}

#[test]
fn agent_field_order_does_not_change_key() {
    let world = World::new();
    let ids: Vec<_> = [["a=1", "b=2"], ["b=2", "a=1"]]
        .iter()
        .map(|[x, y]| {
            world
                .cmd()
                .args([
                    "--output",
                    "json",
                    "execute-agent",
                    "agt_1",
                    "--field",
                    x,
                    "--field",
                    y,
                ])
                .run()
                .expect_code(0)
                .json()["id"]
                .clone()
        })
        .collect();
    assert_eq!(ids[0], ids[1]);
}

#[test]
fn agent_replays_after_dropped_connection() {
    // Every first reply is lost after the agent ran; the client must replay
    // the same key, and the agent must have run once.
    let world = World::with_sandbox(&[
        "--fault",
        "agent-drop-after-commit=0.5",
        "--fault",
        "seed=1",
    ]);
    let mut runs = 0;
    for i in 0..4 {
        let ran = world
            .cmd()
            .args([
                "--timeout",
                "5",
                "--output",
                "json",
                "execute-agent",
                "agt_drop",
                "--field",
                &format!("n={i}"),
            ])
            .run()
            .expect_code(0);
        assert_eq!(ran.json()["status"], "succeeded");
        runs += 1;
    }
    let stats = world.sandbox().stats();
    assert!(
        stats["faults_injected"]["agent-drop-after-commit"]
            .as_u64()
            .unwrap()
            > 0,
        "the fault fired: {stats}"
    );
    assert_eq!(
        stats["agent_executions"], runs,
        "one execution per payload: {stats}"
    );
}

#[test]
fn agent_new_run_executes_again() {
    let world = World::new();
    let args = [
        "--output",
        "json",
        "execute-agent",
        "agt_1",
        "--field",
        "x=1",
    ];
    let first = world.cmd().args(args).run().expect_code(0).json();
    let fresh = world
        .cmd()
        .args(args)
        .arg("--new-run")
        .run()
        .expect_code(0)
        .json();
    assert_ne!(first["id"], fresh["id"]);
    assert_eq!(world.sandbox().stats()["agent_executions"], 2);
}

#[test]
fn agent_failure_exits_3() {
    let world = World::new();
    let payload = write_file(world.path("payload.json"), r#"{"fail": true}"#);
    let ran = world
        .cmd()
        .args(["execute-agent", "agt_1", "--input"])
        .arg_path(&payload)
        .run()
        .expect_code(3);
    assert!(ran.stdout.contains("failed"), "{}", ran.describe());
}

#[test]
fn agent_key_reused_with_other_payload_stops() {
    let world = World::new();
    world
        .cmd()
        .args([
            "execute-agent",
            "agt_1",
            "--idempotency-key",
            "k-1",
            "--field",
            "x=1",
        ])
        .run()
        .expect_code(0);

    // The ledger knows the key: stopped before any request.
    let local = world
        .cmd()
        .args([
            "execute-agent",
            "agt_1",
            "--idempotency-key",
            "k-1",
            "--field",
            "x=2",
        ])
        .run()
        .expect_code(1);
    assert!(
        local.stderr.contains("different payload"),
        "{}",
        local.describe()
    );

    // A fresh ledger does not: the server's 422 stops it, and no new key is made.
    let remote = world
        .cmd()
        .env("DRIPPULSE_DATA_DIR", world.path("fresh"))
        .args([
            "execute-agent",
            "agt_1",
            "--idempotency-key",
            "k-1",
            "--field",
            "x=2",
        ])
        .run()
        .expect_code(1);
    assert!(
        remote.stderr.contains("refused idempotency key"),
        "{}",
        remote.describe()
    );
    assert!(remote.stderr.contains("--new-run"), "{}", remote.describe());
    assert_eq!(world.sandbox().stats()["agent_executions"], 1);
}

#[test]
fn agent_input_must_be_object() {
    let world = World::new();
    let payload = write_file(world.path("payload.json"), "[1, 2]");
    world
        .cmd()
        .args(["execute-agent", "agt_1", "--input"])
        .arg_path(&payload)
        .run()
        .expect_code(2);
}

#[test]
fn agent_stored_outcome_survives_server_restart() {
    // A finished call is answered from the ledger, so a server that forgot
    // the key cannot make the agent run twice.
    let world = World::new();
    let args = [
        "--output",
        "json",
        "execute-agent",
        "agt_1",
        "--field",
        "x=1",
    ];
    let first = world.cmd().args(args).run().expect_code(0).json();

    let fresh_server = crate::harness::SandboxServer::start(&[]);
    let again = world
        .cmd()
        .env("DRIPPULSE_BASE_URL", &fresh_server.url)
        .args(args)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(fresh_server.stats()["agent_execute_calls"], 0);
}

#[test]
fn agent_new_run_failure_names_key() {
    let world = World::with_sandbox(&["--fault", "agent-drop-after-commit=1"]);
    let ran = world
        .cmd()
        .args([
            "--timeout",
            "2",
            "execute-agent",
            "agt_1",
            "--field",
            "x=1",
            "--new-run",
        ])
        .run()
        .expect_code(4);
    assert!(
        ran.stderr.contains("--idempotency-key dp-"),
        "{}",
        ran.describe()
    );
    assert_eq!(world.sandbox().stats()["agent_executions"], 1);
}

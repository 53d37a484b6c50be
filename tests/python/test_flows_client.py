"""The client's coalescing and chain calls against the stub server (issue 14)."""

from hookhost import Connection
from hookhost.eventproc import register, tree

from test_client_stub import stub  # noqa: F401  (the fixture)


def test_register_sends_the_coalesce_settings(stub):  # noqa: F811
    conn = Connection(stub.endpoint, "key")
    settings = {"key": ["/genome"], "quiet_s": 30, "max_wait_s": 600, "after_chain": True}
    register(conn, "flatfile-dump", "staging.genome_updated", "s@example.com", "f@example.com",
             coalesce=settings)(lambda ctx, **payload: len(ctx.events))
    assert stub.requests[0]["body"]["coalesce"] == settings


def test_register_without_coalesce_sends_none(stub):  # noqa: F811
    conn = Connection(stub.endpoint, "key")
    register(conn, "h", "staging.new_xrefs", "s@example.com", "f@example.com")(lambda ctx: 1)
    assert "coalesce" not in stub.requests[0]["body"]


def test_tree_gets_the_chain_of_an_event(stub):  # noqa: F811
    answer = {"event_id": 7, "hook": "staging.new_genebuild", "state": "RUNNING", "jobs": []}
    stub.answers.append((200, answer))
    assert tree(Connection(stub.endpoint, "key"), 7) == answer
    assert stub.requests[0]["method"] == "GET" and stub.requests[0]["path"] == "/v1/events/7/tree"

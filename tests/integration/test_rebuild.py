"""The fast rebuild (issue 14, item 4) on both stores: the audit trail made
by a second process and read from the stored JSON gives the live rows
exactly; a helper that fails or dies fails the rebuild and leaves the read
models as they were."""

from __future__ import annotations

import os

import pytest

from app.projections import audit, audit_stored, decoding, rebuild
from app.projections.runner import ProjectionRunner
from tests.integration.test_projections import dump, lifecycle
from tests.integration.test_sourcing_projections import scenario


def caught_up(settings, gendan) -> dict[str, list[dict]]:
    runner = ProjectionRunner(settings, gendan.store, batch_size=7)
    runner.run_until_caught_up()
    runner.stop()
    return dump(settings)


def test_a_rebuild_with_the_audit_process_equals_the_live_rows(fresh_settings, gendan):
    lifecycle(gendan)
    scenario(gendan)  # suppliers, purchase orders, receipts, invoices
    live = caught_up(fresh_settings, gendan)
    runner = ProjectionRunner(fresh_settings, gendan.store)
    try:
        # parallel_from=1: the second process even for this small store.
        assert runner.rebuild(parallel_from=1) == gendan.last_position()
        assert dump(fresh_settings) == live
        assert set(runner.positions().values()) == {gendan.last_position()}
        # ... and in one process, as small stores are rebuilt.
        assert runner.rebuild(parallel_from=10**9) == gendan.last_position()
        assert dump(fresh_settings) == live
    finally:
        runner.stop()
    assert len(live["rm_audit"]) == gendan.last_position()


def test_the_stored_json_describes_every_event_as_the_domain_event(fresh_settings, gendan):
    lifecycle(gendan)
    scenario(gendan)
    recorder = gendan.store.recorder
    notifications = recorder.select_notifications(start=1, limit=10_000)
    assert len(notifications) == gendan.last_position()
    to_domain_event = gendan.store.mapper.to_domain_event
    for n in notifications:
        assert audit_stored.entry(n) == audit.entry(to_domain_event(n), n.id), n.topic


def test_an_event_of_an_older_class_version_is_left_to_the_domain(fresh_settings, gendan):
    lifecycle(gendan)
    (n,) = gendan.store.recorder.select_notifications(start=3, limit=1)
    older = type(n)(id=n.id, originator_id=n.originator_id,
                    originator_version=n.originator_version, topic=n.topic,
                    state=n.state.replace(b'{', b'{"class_version":0,', 1))
    assert audit_stored.entry(n) is not None
    assert audit_stored.entry(older) is None


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_failed_audit_process_leaves_the_read_models_as_they_were(
        fresh_settings, gendan, monkeypatch, failure):
    lifecycle(gendan)
    live = caught_up(fresh_settings, gendan)

    def broken(notifications, to_domain_event):  # runs in the forked helper
        if failure == "dies":
            os._exit(9)
        raise ValueError("an event the audit trail cannot describe")

    monkeypatch.setattr(rebuild, "audit_rows", broken)
    runner = ProjectionRunner(fresh_settings, gendan.store)
    try:
        with pytest.raises(RuntimeError, match="audit process"):
            runner.rebuild(parallel_from=1)
        assert dump(fresh_settings) == live  # rolled back, positions too
        assert set(runner.positions().values()) == {gendan.last_position()}
    finally:
        runner.stop()


def test_the_rebuild_decodes_every_event_as_the_mapper(fresh_settings, gendan):
    lifecycle(gendan)
    scenario(gendan)
    mapper = gendan.store.mapper
    decode = decoding.domain_events(mapper)
    notifications = gendan.store.recorder.select_notifications(start=1, limit=10_000)
    for n in notifications:
        event, expected = decode(n), mapper.to_domain_event(n)
        assert type(event) is type(expected)
        assert vars(event) == vars(expected), n.topic
        assert list(vars(event)) == list(vars(expected))  # the audit's data keeps this order

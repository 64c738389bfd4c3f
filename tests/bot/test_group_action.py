"""A group button's typed action: one wire format, read back exactly, and anything else refused clearly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.reflection.catalog import Catalog
from bot.reflection.groups import DueGroup, GroupPress, GroupReflections, shared_label
from bot.reflection.replies import BadActionError, Choice, GroupAction, Reply
from bot.store.db import Database
from bot.store.models import SHARED_LABEL
from index.errors import LederbotError
from tests.conftest import KNOWLEDGE

CATALOG = Catalog.load(KNOWLEDGE / "reflections")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("action", "wire"),
    [
        (GroupAction(7, "answer", 0), "group:7:answer:0"),
        (GroupAction(7, "answer", 12), "group:7:answer:12"),
        (GroupAction(123456789, "next"), "group:123456789:next"),
        (GroupAction(1, "end"), "group:1:end"),
    ],
)
def test_the_wire_value_is_the_one_buttons_already_carry(action: GroupAction, wire: str) -> None:
    # Buttons posted before the typed action carry these strings: they must still decode.
    assert action.encode() == wire
    assert GroupAction.decode(wire) == action
    assert GroupAction.claims(wire)


@pytest.mark.unit
@pytest.mark.parametrize(
    "forged",
    [
        "",
        "group:",
        "group:7",
        "group:7:",
        "group:abc:end",
        "group:0:end",  # no group has id 0
        "group:-1:end",
        "group:7:answer",  # an answer without its question
        "group:7:answer:x",
        "group:7:answer:-1",
        "group:7:next:3",  # a step with a question
        "group:7:end:extra",
        "group:7:jump",
        "group:7:END",
        " group:7:end",
        "group:7:end\n",
        "group:9999999999:end",  # past the database's integer column
        "group:7:answer:99999",
        "group:1٧:end",  # a digit, but not an ASCII one
        "refleksjon verdier",
    ],
)
def test_a_garbled_value_is_refused_with_a_named_error(forged: str) -> None:
    with pytest.raises(BadActionError, match="not a group action"):
        GroupAction.decode(forged)


@pytest.mark.unit
def test_the_refusal_is_a_project_error_and_a_value_error_and_not_a_crash_on_other_types() -> None:
    assert issubclass(BadActionError, LederbotError) and issubclass(BadActionError, ValueError)
    for forged in (None, 7, ["group:7:end"], {"cmd": "group:7:end"}):
        with pytest.raises(BadActionError):
            GroupAction.decode(forged)  # type: ignore[arg-type]
    # The error names the value, cut short (a forged payload may be long).
    with pytest.raises(BadActionError) as caught:
        GroupAction.decode("group:" + "x" * 5000)
    assert len(str(caught.value)) < 100


@pytest.mark.unit
@pytest.mark.parametrize(
    "arguments",
    [(0, "end", None), (3, "answer", None), (3, "next", 1), (3, "answer", -1), (3, "skip", None)],
)
def test_an_action_that_cannot_exist_is_not_built(arguments: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match="group|question|step"):
        GroupAction(*arguments)


@pytest.mark.unit
def test_a_choice_knows_its_action() -> None:
    answer = Choice.of_group("Svar", GroupAction(4, "answer", 1), "primary")
    assert (answer.value, answer.style, answer.action) == ("group:4:answer:1", "primary", GroupAction(4, "answer", 1))
    assert Choice("Verdier", "refleksjon verdier").action is None
    assert not GroupAction.claims("refleksjon gruppe verdier")


@pytest.mark.integration
def test_steps_are_refused_by_a_typed_flag_and_due_groups_are_plain_data(db: Database) -> None:
    groups = GroupReflections(database=db, catalog=CATALOG)
    group_id, opening = groups.start(channel_id="C1", facilitator="fasil", word="verdier")
    assert [c.action.step for c in opening.choices if c.action] == ["answer", "next", "end"]
    refused = groups.press(GroupAction(group_id, "end"), actor="noen-andre", conversation="C1").reply
    assert refused is not None and refused.refused and refused.text == texts.R_GROUP_ONLY_FACILITATOR
    saved = groups.answer(group_id, member="m", index=0, text="Et svar", shared_as=None, conversation="C1")
    assert not saved.refused and not saved.unsaved
    ended = groups.press(GroupAction(group_id, "end"), actor="fasil", conversation="C1").reply
    assert ended is not None and not ended.refused and ended.choices == ()
    closed = groups.press(GroupAction(group_id, "next"), actor="fasil", conversation="C1").reply
    assert closed is not None and closed.refused and closed.text == texts.R_GROUP_CLOSED
    assert groups.answer(group_id, member="m", index=0, text="For sent", shared_as="M", conversation="C1").refused

    deadline = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    later, _ = groups.start(
        channel_id="19:g", facilitator="f", word="verdier", deadline=deadline, channel="teams", reply_to="https://smba/"
    )
    [(due, summary)] = groups.due(deadline + timedelta(minutes=1))
    assert due == DueGroup(id=later, channel="teams", channel_id="19:g", thread_ts=None, reply_to="https://smba/")
    assert texts.R_GROUP_NONE_SHARED in summary.text


@pytest.mark.integration
def test_a_press_is_one_call_and_counts_only_in_the_groups_own_conversation(db: Database) -> None:
    groups = GroupReflections(database=db, catalog=CATALOG)
    group_id, _ = groups.start(channel_id="C1", facilitator="fasil", word="verdier")
    groups.set_thread(group_id, "111.222")
    # From another conversation every way in is refused with the one text, and nothing is taken or stored.
    for action in (GroupAction(group_id, "answer", 0), GroupAction(group_id, "next"), GroupAction(group_id, "end")):
        press = groups.press(action, actor="fasil", conversation="C2")
        assert press == GroupPress(Reply(texts.R_GROUP_ELSEWHERE, refused=True))
    elsewhere = groups.answer(group_id, member="m", index=0, text="Feil sted", shared_as=None, conversation="C2")
    assert elsewhere.refused and elsewhere.text == texts.R_GROUP_ELSEWHERE
    # At home: «Svar» is the form (with the thread a shared answer goes to), «neste» the next post there.
    form = groups.press(GroupAction(group_id, "answer", 99), actor="m", conversation="C1")
    assert form.reply is None and form.thread_ts == "111.222"
    found = groups.question(group_id, 99)
    assert found is not None and form.form is not None
    theme, last = found  # an index past the questions is kept within them
    assert (form.form.index, form.form.question) == (len(theme.questions) - 1, theme.questions[last].text)
    step = groups.press(GroupAction(group_id, "next"), actor="fasil", conversation="C1")
    assert step.form is None and step.thread_ts == "111.222" and step.reply is not None and not step.reply.refused
    not_yours = groups.press(GroupAction(group_id, "end"), actor="noen-andre", conversation="C1")
    assert not_yours.reply == Reply(texts.R_GROUP_ONLY_FACILITATOR, refused=True) and not_yours.thread_ts is None


@pytest.mark.unit
def test_a_shared_answer_goes_under_the_members_name_or_one_neutral_label() -> None:
    assert shared_label("  Anne   Berg ") == "Anne Berg"
    assert shared_label("") == shared_label(None) == SHARED_LABEL
    with pytest.raises(ValueError, match="exactly one"):
        GroupPress()

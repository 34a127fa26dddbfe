"""Compiled dumps (app.core.dumping) give what marshmallow's own dump gives."""

from __future__ import annotations

import datetime as dt
import enum
import json
from types import SimpleNamespace

import marshmallow as ma
import pytest

from app.core.dumping import CompiledDump, compile_dump
from app.core.fields import EnumField
from app.experts import services
from app.experts.schemas import ExpertDetailSchema, ExpertSchema
from app.extensions import db
from tests import factories as f


class Colour(enum.Enum):
    RED = "red"


class Inner(ma.Schema):
    name = ma.fields.String()
    centre_name = ma.fields.String(attribute="centre.name")
    when = ma.fields.Date(allow_none=True)


class Hooked(ma.Schema):
    name = ma.fields.String()

    @ma.post_dump
    def _shout(self, data, **_kwargs):
        return {**data, "name": data["name"].upper()}


class ReadsItsOwnWay(ma.fields.String):
    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return f"read:{super().get_value(obj, attr, accessor, default)}"


class SerialisesWhole(ma.fields.Integer):
    def serialize(self, attr, obj, accessor=None, **kwargs):
        return ma.missing if obj.n == 0 else 100 + obj.n


class Everything(ma.Schema):
    """A field of each kind the compiler inlines, delegates or leaves to marshmallow."""

    text = ma.fields.String()
    number = ma.fields.Integer()
    number_text = ma.fields.Integer(as_string=True)
    ratio = ma.fields.Float()
    flag = ma.fields.Boolean()
    names = ma.fields.List(ma.fields.String())
    numbers = ma.fields.List(ma.fields.Integer())
    day = ma.fields.Date()
    colour = EnumField(Colour)
    renamed = ma.fields.String(data_key="shown_as", attribute="text", dump_only=True)
    deep = ma.fields.String(attribute="inner.name")
    absent = ma.fields.String()
    defaulted = ma.fields.String(dump_default="fallback")
    defaulted_late = ma.fields.Integer(dump_default=lambda: 7)
    computed = ma.fields.Function(lambda obj: obj.number * 2 if obj.number else None)
    one = ma.fields.Nested(Inner, allow_none=True)
    many = ma.fields.List(ma.fields.Nested(Inner))
    many_direct = ma.fields.Nested(Inner, many=True, attribute="many", dump_only=True)
    many_instance = ma.fields.Nested(Inner(many=True), attribute="many", dump_only=True)
    only_some = ma.fields.Nested(Inner, only=("name",), attribute="one", dump_only=True)
    hooked = ma.fields.Nested(Hooked, attribute="one", dump_only=True)
    own_way = ReadsItsOwnWay(attribute="text", dump_only=True)
    whole = SerialisesWhole()

    @ma.validates_schema
    def _never(self, *_args, **_kwargs):  # load-only hooks leave the dump compiled
        pass


def _same(ours, theirs) -> bool:
    """Equal as JSON too: 1 == True in Python, not in a response."""
    as_json = json.dumps(ours, sort_keys=True), json.dumps(theirs, sort_keys=True)
    return ours == theirs and as_json[0] == as_json[1]


def _inner(name, centre="Centre", when=None):
    return SimpleNamespace(name=name, centre=SimpleNamespace(name=centre), when=when)


OBJECTS = [
    SimpleNamespace(
        text="Алматы",
        number=3,
        number_text=12,
        ratio=0.5,
        flag=True,
        names=["a", "Ә"],
        numbers=[1, True, 2.9],
        day=dt.date(2024, 2, 29),
        colour=Colour.RED,
        inner=_inner("deep"),
        defaulted="given",
        defaulted_late=None,
        one=_inner("one", when=dt.date(2020, 1, 1)),
        many=[_inner("x"), _inner("y", centre=None)],
        n=1,
    ),
    # None everywhere it may be, bytes for text, a bool and a float for integers, a
    # string for an enum (a row not yet reloaded), an inner object missing attributes.
    SimpleNamespace(
        text=b"bytes",
        number=True,
        number_text=None,
        ratio=None,
        flag="false",
        names=None,
        numbers=[],
        day=None,
        colour="red",
        inner=SimpleNamespace(),
        defaulted=None,
        one=None,
        many=[SimpleNamespace(centre=SimpleNamespace())],
        n=0,
    ),
    SimpleNamespace(number=4.7, n=2),
]


@pytest.mark.parametrize("obj", OBJECTS)
def test_every_kind_of_field_dumps_as_marshmallow_does(obj):
    schema = Everything()
    compiled = compile_dump(schema)
    assert _same(compiled(obj), ma.Schema.dump(schema, obj))


def test_many_only_exclude_and_dicts_as_marshmallow():
    class Fast(CompiledDump, Everything):
        pass

    for options in ({}, {"only": ("text", "one", "whole")}, {"exclude": ("many", "day")}):
        fast, slow = Fast(many=True, **options), Everything(many=True, **options)
        assert _same(fast.dump(OBJECTS), slow.dump(OBJECTS))
        assert _same(fast.dump(OBJECTS[0], many=False), slow.dump(OBJECTS[0], many=False))
    # Objects read by key, and None, are marshmallow's own business.
    as_dict = {"text": "t", "number": 1, "one": {"name": "n", "centre": {"name": "c"}}}
    some = {"only": ("text", "number", "one", "defaulted")}
    assert Fast(**some).dump(as_dict) == Everything(**some).dump(as_dict)
    assert Fast(**some).dump(None) == Everything(**some).dump(None)


def test_a_schema_with_dump_hooks_is_left_to_marshmallow():
    assert compile_dump(Hooked()) is None

    class FastHooked(CompiledDump, Hooked):
        pass

    assert FastHooked().dump(SimpleNamespace(name="a")) == {"name": "A"}


def test_a_schema_that_dumps_its_own_way_is_left_to_marshmallow():
    class OwnSerialize(Inner):
        def _serialize(self, obj, *, many=False):
            return {"own": True}

    assert compile_dump(OwnSerialize()) is None

    class Outer(ma.Schema):
        inner = ma.fields.Nested(OwnSerialize)

    outer = Outer()
    assert compile_dump(outer)(SimpleNamespace(inner=_inner("a"))) == {"inner": {"own": True}}


def test_a_compiled_schema_copied_with_only_dumps_only_those_fields():
    """marshmallow's Nested copies a schema instance and narrows the copy's fields."""

    class FastInner(CompiledDump, Inner):
        pass

    inner, obj = FastInner(), _inner("a", when=dt.date(2020, 1, 1))
    assert set(inner.dump(obj)) == {"name", "centre_name", "when"}  # compiled for all

    class Outer(ma.Schema):
        one = ma.fields.Nested(inner, only=("name",))

    assert Outer().dump(SimpleNamespace(one=obj)) == {"one": {"name": "a"}}
    assert set(inner.dump(obj)) == {"name", "centre_name", "when"}


def test_an_expert_dumps_as_marshmallow_dumps_it(db_session):
    """The schemas using the compiled dump, on ORM objects and on the list's plain rows."""
    centre = f.CentreFactory(country_code="KZ")
    expert = f.ExpertFactory(
        country_code="KZ", other_names=["Ә. Б."], topics=[f.TopicFactory(), f.TopicFactory()]
    )
    f.AffiliationFactory(expert=expert, centre=centre, start_date=dt.date(2020, 1, 1))
    f.AffiliationFactory(expert=expert, centre=f.CentreFactory(), position=None)
    bare = f.ExpertFactory(country_code="RU", biography=None, birth_year=None)
    db_session.flush()
    for schema in (ExpertSchema(), ExpertDetailSchema()):
        for obj in (expert, bare):
            assert _same(schema.dump(obj), ma.Schema.dump(schema, obj))
    listed = services.list_rows(services.list_query({}, None).order_by(None))
    assert {row.id for row in listed} >= {expert.id, bare.id}
    schema = ExpertSchema(many=True)
    assert _same(schema.dump(listed), ma.Schema.dump(schema, listed))
    objects = [db.session.get(type(expert), row.id) for row in listed]
    assert _same(schema.dump(listed), ma.Schema.dump(schema, objects))

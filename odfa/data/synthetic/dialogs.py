"""An offline stand-in for the Cornell Movie-Dialogs Corpus zip, byte for byte in its format.

The dialogue comes from a seeded grammar: questions are answered in kind, names recur and each
movie has its own places and props, so a small language model has real structure to learn.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odfa.data.dialogs import (
    CONVERSATIONS_FILE,
    CORPUS_ENCODING,
    CORPUS_FOLDER,
    FIELD_SEPARATOR,
    LINES_FILE,
)
from odfa.io import atomic_output

N_MOVIES = 30
CAST_SIZES = (4, 7)
UTTERANCES_PER_CONVERSATION = (2, 6)
FIRST_LINE_ID = 100
ZIP_TIMESTAMP = (2011, 6, 1, 0, 0, 0)
APPLE_DOUBLE_STUB = b"\x00\x05\x16\x07\x00\x02\x00\x00"  # the real zip carries __MACOSX/ too
README = (
    "Synthetic sample in the format of the Cornell Movie-Dialogs Corpus "
    "(Danescu-Niculescu-Mizil and Lee, 2011).\n"
    "Generated offline by odfa.data.synthetic.dialogs from a seeded grammar; "
    "not the real corpus.\n"
    "Files: movie_lines.txt, movie_conversations.txt; fields separated by ' +++$+++ '; "
    "encoding iso-8859-1.\n"
)

VOCABULARY_FILE = Path(__file__).with_name("dialogs_vocabulary.json")


def _frozen(value: Any) -> Any:
    """JSON lists as tuples, at any depth."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


# The grammar's word lists, kept as data (a reader of the code sees the grammar, not the words).
_WORDS = _frozen(json.loads(VOCABULARY_FILE.read_text(encoding="utf-8")))
CHARACTER_NAMES: tuple[str, ...] = _WORDS["character_names"]
GENRES: dict[str, dict[str, tuple[str, ...]]] = _WORDS["genres"]
COMMON_PLACES: tuple[str, ...] = _WORDS["common_places"]
COMMON_OBJECTS: tuple[str, ...] = _WORDS["common_objects"]
GERUNDS: tuple[str, ...] = _WORDS["gerunds"]
TIMES: tuple[str, ...] = _WORDS["times"]
FEELINGS: tuple[str, ...] = _WORDS["feelings"]
QUALITIES: tuple[str, ...] = _WORDS["qualities"]
RELATIONS: tuple[str, ...] = _WORDS["relations"]
REASONS: tuple[str, ...] = _WORDS["reasons"]
VERBS_PAST: dict[str, str] = _WORDS["verbs_past"]
FOODS: tuple[str, ...] = _WORDS["foods"]
WEATHER: tuple[str, ...] = _WORDS["weather"]
ADDRESSES: tuple[str, ...] = _WORDS["addresses"]
REACTIONS: tuple[str, ...] = _WORDS["reactions"]
CITIES: tuple[str, ...] = _WORDS["cities"]
PROFESSIONS: tuple[str, ...] = _WORDS["professions"]
SURNAMES: tuple[str, ...] = _WORDS["surnames"]
TITLES: tuple[str, ...] = _WORDS["titles"]
COLOURS: tuple[str, ...] = _WORDS["colours"]
ANIMALS: tuple[str, ...] = _WORDS["animals"]
VEHICLES: tuple[str, ...] = _WORDS["vehicles"]
AMOUNTS: tuple[str, ...] = _WORDS["amounts"]
PERSONALITIES: tuple[str, ...] = _WORDS["personalities"]
ADVERBS: tuple[str, ...] = _WORDS["adverbs"]


@dataclass
class Movie:
    """A movie's cast and the places, props and events its characters talk about."""

    movie_id: str
    cast: list[tuple[str, str]]  # (character ID, NAME)
    places: list[str]
    objects: list[str]
    events: list[str]
    offscreen: list[str]  # people talked about but never heard: "Doctor Okafor"


@dataclass
class Scene:
    """Who speaks to whom in which movie; every phrase choice draws on `rng`."""

    rng: random.Random
    movie: Movie
    speaker: str
    listener: str

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    def place(self) -> str:
        return self.pick(self.movie.places)

    def thing(self) -> str:
        return self.pick(self.movie.objects)

    def event(self) -> str:
        return self.pick(self.movie.events)

    def activity(self) -> str:
        return f"{self.pick(GERUNDS)} {self.thing()}"

    def other(self) -> str:
        """Someone in the movie other than the two speakers (a name that recurs)."""
        if self.rng.random() < 0.2:
            return self.pick(self.movie.offscreen)
        names = [n for _, n in self.movie.cast if n not in (self.speaker, self.listener)]
        return self.pick(names).title() if names else self.pick(self.movie.offscreen)

    def addressee(self) -> str:
        """An optional vocative: the listener's name, a term of address, or nothing."""
        if self.rng.random() < 0.3:
            return ", " + self.listener.title()
        address = self.pick(ADDRESSES)
        return ", " + address if address else ""


Answer = Callable[[Scene], str]
Move = tuple[str, Answer | None]


def capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def ask_where(scene: Scene) -> Move:
    person, thing, place = scene.other(), scene.thing(), scene.place()
    if scene.rng.random() < 0.5:
        question = scene.pick((f"Where is {person}?", f"Have you seen {person}?"))
        return question, lambda s: s.pick(
            (
                f"{person} is at {place}.",
                f"I saw {person} at {place} an hour ago.",
                f"I don't know. Try {s.place()}.",
                f"{person} went to {place} {s.pick(TIMES)}.",
            )
        )
    return f"Where is {thing}?", lambda s: s.pick(
        (
            f"I left {thing} at {place}.",
            f"{s.other()} has {thing}.",
            f"It's in {place}, next to {s.thing()}.",
        )
    )


def ask_what_doing(scene: Scene) -> Move:
    question = scene.pick(
        ("What are you doing here", "What are you doing", "What were you doing all night")
    )
    return f"{question}{scene.addressee()}?", lambda s: s.pick(
        (
            f"I'm {s.activity()}.",
            f"Nothing. Just {s.activity()}.",
            f"I was {s.activity()} with {s.other()}.",
            f"I'm {s.activity()} for {s.other()}. Don't tell anybody.",
        )
    )


def ask_when(scene: Scene) -> Move:
    event, person = scene.event(), scene.other()
    if scene.rng.random() < 0.5:
        return f"When is {event}?", lambda s: s.pick(
            (f"{capitalised(s.pick(TIMES))}.", f"{capitalised(event)} is {s.pick(TIMES)}.")
        )
    return f"When is {person} coming back?", lambda s: s.pick(
        (f"{person} said {s.pick(TIMES)}.", f"{capitalised(s.pick(TIMES))}, I think.")
    )


def ask_feeling(scene: Scene) -> Move:
    question = scene.pick(("How are you", "Are you all right", "How do you feel"))
    return f"{question}{scene.addressee()}?", lambda s: s.pick(
        (
            f"I'm {s.pick(FEELINGS)}.",
            f"{capitalised(s.pick(FEELINGS))}. Just {s.pick(FEELINGS)}.",
            f"I'm {s.pick(FEELINGS)}, {s.listener.title()}. Thank you for asking.",
            f"I'm {s.pick(FEELINGS)} because of {s.event()}.",
        )
    )


def ask_yes_no(scene: Scene) -> Move:
    thing, person, verb = scene.thing(), scene.other(), scene.pick(sorted(VERBS_PAST))
    forms = (
        (f"Did you {verb} {thing}?", "did", "didn't"),
        (f"Do you trust {person}?", "do", "don't"),
        (f"Can you keep a secret{scene.addressee()}?", "can", "can't"),
        (f"Will you come to {scene.place()} with me?", "will", "won't"),
        (f"Are you {scene.pick(FEELINGS)}?", "am", "am not"),
        (f"Is {person} coming to {scene.event()}?", "is", "isn't"),
    )
    question, yes, no = scene.pick(forms)
    subject = person if yes == "is" else "I"

    def answer(s: Scene) -> str:
        if s.rng.random() < 0.5:
            return f"Yes, {subject} {yes}."
        return f"No, {subject} {no}. {s.pick(REACTIONS)}"

    return question, answer


def ask_why(scene: Scene) -> Move:
    verb, thing = scene.pick(sorted(VERBS_PAST)), scene.thing()
    return f"Why did you {verb} {thing}?", lambda s: s.pick(
        (
            f"Because {s.pick(REASONS)}.",
            f"Because {s.other()} told me to {verb} it.",
            f"I {VERBS_PAST[verb]} it because {s.pick(REASONS)}.",
        )
    )


def ask_who(scene: Scene) -> Move:
    person = scene.other()
    question = scene.pick(
        ("Who told you that?", f"Who is that at {scene.place()}?", "Who was on the phone?")
    )
    return question, lambda s: s.pick(
        (f"{person}.", f"{person} told me.", f"That's {person}, my {s.pick(RELATIONS)}.")
    )


def ask_hungry(scene: Scene) -> Move:
    food = scene.pick(FOODS)
    return f"Do you want some {food}{scene.addressee()}?", lambda s: s.pick(
        (
            f"Yes, please. I love {food}.",
            "No, thank you. I'm not hungry.",
            f"Only if there's {s.pick(FOODS)} too.",
        )
    )


def ask_origin(scene: Scene) -> Move:
    person = scene.pick(("you", scene.other()))
    verb = "are" if person == "you" else "is"
    subject = "I'm" if person == "you" else f"{person} is"
    return f"Where {verb} {person} from?", lambda s: s.pick(
        (
            f"{subject} from {s.pick(CITIES)}.",
            f"{s.pick(CITIES)}. Born and raised.",
            f"{subject} from {s.pick(CITIES)}, but we moved to {s.pick(CITIES)}.",
        )
    )


def ask_job(scene: Scene) -> Move:
    person = scene.other()
    return f"What does {person} do?", lambda s: s.pick(
        (
            f"{person} is a {s.pick(PROFESSIONS)}.",
            f"{person} works at {s.place()} as a {s.pick(PROFESSIONS)}.",
            f"{person} used to be a {s.pick(PROFESSIONS)}. Now, nothing.",
        )
    )


def ask_opinion_of(scene: Scene) -> Move:
    person = scene.other()
    return f"What do you think of {person}?", lambda s: s.pick(
        (
            f"{person} is {s.pick(PERSONALITIES)}.",
            f"{person} is {s.pick(PERSONALITIES)}, but {s.pick(PERSONALITIES)} too.",
            f"I don't know {person} very well.",
        )
    )


def ask_price(scene: Scene) -> Move:
    thing = scene.thing()
    return f"How much did you pay for {thing}?", lambda s: s.pick(
        (
            f"{capitalised(s.pick(AMOUNTS))} dollars.",
            "More than you have.",
            f"Nothing. {s.other()} gave it to me.",
        )
    )


QUESTIONS = (
    ask_where, ask_what_doing, ask_when, ask_feeling, ask_yes_no, ask_why, ask_who, ask_hungry,
    ask_origin, ask_job, ask_price, ask_opinion_of,
)  # fmt: skip


def say_opinion(scene: Scene) -> Move:
    thing, quality = scene.thing(), scene.pick(QUALITIES)
    return f"I think {thing} is {quality}.", lambda s: s.pick(
        (
            f"It is not {quality}. It is {s.pick(QUALITIES)}.",
            f"You're right. {capitalised(thing)} is {quality}.",
            f"{s.other()} said the same thing.",
        )
    )


def say_news(scene: Scene) -> Move:
    person, place = scene.other(), scene.place()
    return f"{person} is waiting at {place}.", lambda s: s.pick(
        ("Then let's go.", f"Tell {person} I'm coming.", f"Why {place}?", s.pick(REACTIONS))
    )


def say_command(scene: Scene) -> Move:
    thing = scene.thing()
    order = scene.pick((f"Give me {thing}", f"Bring {thing} to {scene.place()}", "Listen to me"))
    return f"{order}{scene.addressee()}.", lambda s: s.pick(
        ("No.", "Why should I?", "Here. Take it.", f"Ask {s.other()}.", "All right, all right.")
    )


def say_plan(scene: Scene) -> Move:
    when, place = scene.pick(TIMES), scene.place()
    return f"We have to go to {place} {when}.", lambda s: s.pick(
        (f"Why {when}?", "I'm not going.", f"Fine. I'll meet you at {place}.", "Okay.")
    )


def say_memory(scene: Scene) -> Move:
    person, verb, thing = scene.other(), scene.pick(sorted(VERBS_PAST)), scene.thing()
    return (
        f"I remember when {person} {VERBS_PAST[verb]} {thing} at {scene.place()}.",
        lambda s: s.pick(
            ("Those were the days.", f"{person} never told me that.", s.pick(REACTIONS))
        ),
    )


def say_weather(scene: Scene) -> Move:
    return f"It's {scene.pick(WEATHER)} outside.", lambda s: s.pick(
        ("Then stay inside.", f"Take {s.thing()} with you.", "I don't care.", "I know. I saw.")
    )


def say_apology(scene: Scene) -> Move:
    return f"I'm sorry{scene.addressee()}.", lambda s: s.pick(
        ("It's all right.", "Sorry is not enough.", "Forget it.", "Don't be sorry. Be careful.")
    )


def say_greeting(scene: Scene) -> Move:
    greeting = scene.pick(("Hello", "Good morning", "Good evening", "Hi", "Buenos días"))
    return f"{greeting}, {scene.listener.title()}.", lambda s: s.pick(
        (f"Hello, {s.listener.title()}.", "Hi.", f"{greeting}. What do you want?")
    )


def say_sighting(scene: Scene) -> Move:
    colour, place = scene.pick(COLOURS), scene.place()
    seen = scene.pick((*VEHICLES, *ANIMALS))
    return f"I saw a {colour} {seen} near {place} {scene.pick(TIMES)}.", lambda s: s.pick(
        (
            f"A {colour} {seen}? Are you sure?",
            f"{s.other()} saw it too.",
            f"There is no {seen} near {place}. Go to sleep.",
        )
    )


def say_phone_call(scene: Scene) -> Move:
    caller = scene.pick(scene.movie.offscreen)
    return f"{caller} called {scene.pick(TIMES)}.", lambda s: s.pick(
        (
            f"What did {caller} want?",
            f"Tell {caller} to call back {s.pick(TIMES)}.",
            f"I don't want to talk to {caller}.",
        )
    )


def say_travel(scene: Scene) -> Move:
    vehicle, city = scene.pick(VEHICLES), scene.pick(CITIES)
    return f"Let's take the {vehicle} to {city}.", lambda s: s.pick(
        (f"{city}? Why {city}?", f"I hate {city}.", f"What about {s.other()}?", "Pack your bags.")
    )


def say_order(scene: Scene) -> Move:
    thing, adverb = scene.thing(), scene.pick(ADVERBS)
    return f"Put {thing} down {adverb}.", lambda s: s.pick(
        ("Okay, okay.", f"Not until {s.other()} gets here.", "Make me.")
    )


STATEMENTS = (
    say_opinion, say_news, say_command, say_plan, say_memory, say_weather, say_apology,
    say_sighting, say_phone_call, say_order, say_travel,
)  # fmt: skip


def move(scene: Scene) -> Move:
    """A question (more often) or a statement, each with the reply it calls for."""
    if scene.rng.random() < 0.6:
        return scene.pick(QUESTIONS)(scene)
    return scene.pick(STATEMENTS)(scene)


def conversation_texts(rng: random.Random, movie: Movie, first: str, second: str) -> list[str]:
    """Alternating utterances: each reply answers the previous move, sometimes adding its own."""
    length = rng.randint(*UTTERANCES_PER_CONVERSATION)
    speakers = [first, second]
    texts: list[str] = []
    pending: Answer | None = None
    for turn in range(length):
        scene = Scene(rng, movie, speakers[turn % 2], speakers[(turn + 1) % 2])
        if turn == 0 and rng.random() < 0.2:
            text, pending = say_greeting(scene)
        elif pending is None:
            text, pending = move(scene)
        else:
            text, pending = pending(scene), None
            if turn < length - 1 and rng.random() < 0.35:
                follow_up, pending = move(scene)
                text = f"{text} {follow_up}"
        texts.append(text)
    return texts


def cast_movies(rng: random.Random) -> list[Movie]:
    """Thirty movies, each with a genre, a cast and its own places; JACK plays in a third."""
    movies, next_character = [], 0
    for index in range(N_MOVIES):
        names = rng.sample(CHARACTER_NAMES, rng.randint(*CAST_SIZES))
        if index % 3 == 0 and "JACK" not in names:
            names[0] = "JACK"
        cast = [(f"u{next_character + i}", name) for i, name in enumerate(names)]
        next_character += len(cast)
        genre = GENRES[rng.choice(sorted(GENRES))]
        movies.append(
            Movie(
                movie_id=f"m{index}",
                cast=cast,
                places=[*genre["places"], *rng.sample(COMMON_PLACES, 6)],
                objects=[*genre["objects"], *rng.sample(COMMON_OBJECTS, 6)],
                events=list(genre["events"]),
                offscreen=[f"{rng.choice(TITLES)} {rng.choice(SURNAMES)}" for _ in range(3)],
            )
        )
    return movies


def corpus_files(seed: int, n_conversations: int) -> tuple[str, str]:
    """The text of movie_lines.txt and movie_conversations.txt, laid out as in the real corpus.

    Line IDs rise through each conversation with gaps between conversations; movie_lines.txt
    lists each movie's lines in descending ID order, movie_conversations.txt in ascending order.
    """
    rng = random.Random(seed)
    movies = cast_movies(rng)
    counts = [0] * len(movies)
    for _ in range(n_conversations):
        counts[rng.randrange(len(movies))] += 1
    line_rows, conversation_rows = [], []
    line_id = FIRST_LINE_ID
    for movie, count in zip(movies, counts, strict=True):
        movie_lines = []
        for _ in range(count):
            pair = rng.sample(movie.cast, 2)
            ids = []
            texts = conversation_texts(rng, movie, pair[0][1], pair[1][1])
            for turn, text in enumerate(texts):
                character_id, name = pair[turn % 2]
                movie_lines.append((line_id, character_id, name, text))
                ids.append(f"L{line_id}")
                line_id += 1
            conversation_rows.append(
                FIELD_SEPARATOR.join([pair[0][0], pair[1][0], movie.movie_id, str(ids)])
            )
            line_id += rng.randint(0, 12)
        for number, character_id, name, text in reversed(movie_lines):
            line_rows.append(
                FIELD_SEPARATOR.join([f"L{number}", character_id, movie.movie_id, name, text])
            )
    return "".join(r + "\n" for r in line_rows), "".join(r + "\n" for r in conversation_rows)


def zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def generate_sample_corpus(path: Path, seed: int, n_conversations: int = 1500) -> None:
    """Write a zip laid out like cornell_movie_dialogs_corpus.zip; the same seed, the same bytes."""
    lines_text, conversations_text = corpus_files(seed, n_conversations)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (
            (LINES_FILE, lines_text),
            (CONVERSATIONS_FILE, conversations_text),
            ("README.txt", README),
        ):
            zip_entry(archive, f"{CORPUS_FOLDER}/{name}", text.encode(CORPUS_ENCODING))
        zip_entry(archive, f"__MACOSX/{CORPUS_FOLDER}/._{LINES_FILE}", APPLE_DOUBLE_STUB)
    with atomic_output(path, "wb") as handle:
        handle.write(buffer.getvalue())

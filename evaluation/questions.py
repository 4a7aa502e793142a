"""Questions as data: the frozen form of a questionnaire's StreamField, reading a submitted
form into answers, and scoring a knowledge test. Pure functions, no database.

A version's questions are a list of dicts:
    {"id", "type": likert|text|single|multiple, "text", "required",
     "scale" (likert), "options": [{"id", "label", "correct"}] (choices), "points" (choices)}

Scoring (knowledge tests): a single-choice question earns its points when the correct option
is chosen. A multiple-choice question earns points × (right chosen − wrong chosen) / number of
right options, never below zero, so ticking every box earns nothing when the question has
as many wrong options as right ones (or more). Questions without a
correct option (opinion questions in a test) and ratings and free text are not scored."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from evaluation.blocks import SCALE_POINTS

TEXT_LIMIT = 4000
TWO_PLACES = Decimal("0.01")


def snapshot(stream) -> list[dict]:
    """The frozen list of questions of a StreamField value (evaluation.blocks.QuestionsBlock)."""
    questions = []
    for child in stream:
        value = child.value
        question = {
            "id": str(child.id),
            "type": child.block_type,
            "text": value["text"],
            "required": bool(value["required"]),
        }
        if child.block_type == "likert":
            question["scale"] = value["scale"]
        if child.block_type in ("single", "multiple"):
            options = []
            for item in value["options"].bound_blocks:
                options.append(
                    {
                        "id": str(item.id),
                        "label": item.value["label"],
                        "correct": bool(item.value["correct"]),
                    }
                )
            question["options"] = options
            question["points"] = str(Decimal(value["points"] or 0).quantize(TWO_PLACES))
        questions.append(question)
    return questions


def is_scored(question: dict) -> bool:
    return question["type"] in ("single", "multiple") and any(
        option["correct"] for option in question["options"]
    )


def max_score(questions: list[dict]) -> Decimal:
    return sum((Decimal(q["points"]) for q in questions if is_scored(q)), Decimal("0"))


def read_answers(questions: list[dict], data) -> tuple[dict, dict[str, str]]:
    """A submitted form (a QueryDict or dict of lists) read into answers, with an error message
    per question id for what is missing or invalid. Field names are `q-<question id>`."""

    def values(key: str) -> list[str]:
        if hasattr(data, "getlist"):
            return data.getlist(key)
        raw = data.get(key, [])
        return raw if isinstance(raw, list) else [raw]

    answers, errors = {}, {}
    for question in questions:
        key = f"q-{question['id']}"
        # NUL cannot be stored (PostgreSQL refuses it in text and JSON): it is dropped.
        given = [
            v.replace("\x00", "").strip()
            for v in values(key)
            if isinstance(v, str) and v.replace("\x00", "").strip()
        ]
        kind = question["type"]
        if not given:
            if question["required"]:
                errors[question["id"]] = _("This question needs an answer.")
            continue
        if kind == "likert":
            if len(given) != 1 or given[0] not in {str(n) for n in range(1, SCALE_POINTS + 1)}:
                errors[question["id"]] = _("Choose one point of the scale.")
            else:
                answers[question["id"]] = int(given[0])
        elif kind == "text":
            text = "\n".join(given)
            if len(text) > TEXT_LIMIT:
                errors[question["id"]] = _("Keep the answer to %(limit)s characters at most.") % {
                    "limit": TEXT_LIMIT
                }
            else:
                answers[question["id"]] = text
        else:
            known = {option["id"] for option in question["options"]}
            chosen = list(dict.fromkeys(given))
            if any(choice not in known for choice in chosen):
                errors[question["id"]] = _("Choose among the options shown.")
            elif kind == "single" and len(chosen) != 1:
                errors[question["id"]] = _("Choose one option.")
            else:
                answers[question["id"]] = chosen[0] if kind == "single" else chosen
    return answers, errors


def question_score(question: dict, answer) -> Decimal:
    if not is_scored(question) or answer in (None, "", []):
        return Decimal("0")
    points = Decimal(question["points"])
    right = {option["id"] for option in question["options"] if option["correct"]}
    if question["type"] == "single":
        return points if answer in right else Decimal("0")
    chosen = set(answer)
    net = len(chosen & right) - len(chosen - right)
    if net <= 0:
        return Decimal("0")
    return (points * net / len(right)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def score(questions: list[dict], answers: dict) -> tuple[Decimal, Decimal]:
    """(score, maximum) of answers to a knowledge test."""
    total = sum((question_score(q, answers.get(q["id"])) for q in questions), Decimal("0"))
    return total.quantize(TWO_PLACES), max_score(questions).quantize(TWO_PLACES)


def percent(points: Decimal, maximum: Decimal) -> Decimal | None:
    if not maximum:
        return None
    return (points * 100 / maximum).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

"""The participant's form, as the template draws it: each question of a frozen version with its
field name (`q-<question id>`, what evaluation.questions.read_answers reads), its choices, the
answer given so far (kept when the form comes back with errors) and its error message."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from evaluation.blocks import SCALE_POINTS, SCALES


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool
    dom_id: str


@dataclass(frozen=True)
class QuestionField:
    number: int
    id: str
    type: str  # likert | text | single | multiple
    text: str
    required: bool
    name: str
    dom_id: str
    choices: list[Choice] = field(default_factory=list)
    value: str = ""  # free text given so far
    error: str = ""

    @property
    def error_id(self) -> str:
        return f"{self.dom_id}-error"

    @property
    def input_type(self) -> str:
        return "checkbox" if self.type == "multiple" else "radio"


def _given(data, name: str) -> list[str]:
    if data is None:
        return []
    if hasattr(data, "getlist"):
        return data.getlist(name)
    raw = data.get(name, [])
    return raw if isinstance(raw, list) else [raw]


def question_fields(questions: list[dict], data=None, errors=None) -> list[QuestionField]:
    """The version's questions as fields; `data` (the POST) and `errors` (by question id) when
    the form is shown again after a refused submission."""
    errors = errors or {}
    fields = []
    for number, question in enumerate(questions, start=1):
        qid = str(question["id"])
        name = f"q-{qid}"
        dom_id = f"question-{qid}"
        given = [value for value in _given(data, name) if isinstance(value, str)]
        choices = []
        if question["type"] == "likert":
            labels = SCALES.get(question.get("scale"), SCALES["agreement"])
            choices = [
                Choice(str(n), str(labels[n - 1]), str(n) in given, f"{dom_id}-{n}")
                for n in range(1, SCALE_POINTS + 1)
            ]
        elif question["type"] in ("single", "multiple"):
            choices = [
                Choice(
                    str(option["id"]),
                    option["label"],
                    str(option["id"]) in given,
                    f"{dom_id}-{index}",
                )
                for index, option in enumerate(question["options"], start=1)
            ]
        fields.append(
            QuestionField(
                number=number,
                id=qid,
                type=question["type"],
                text=question["text"],
                required=bool(question.get("required")),
                name=name,
                dom_id=dom_id,
                choices=choices,
                value="\n".join(given) if question["type"] == "text" else "",
                error=str(errors.get(qid, "")),
            )
        )
    return fields


PURPOSE_NAMES = {
    "pre_test": lambda: _("Pre-test"),
    "post_test": lambda: _("Post-test"),
    "feedback": lambda: _("Feedback form"),
    "follow_up": lambda: _("Follow-up survey"),
}


def purpose_name(purpose: str) -> str:
    """The form's name as a participant reads it."""
    return PURPOSE_NAMES[purpose]()

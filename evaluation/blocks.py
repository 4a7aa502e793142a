"""The question blocks of a questionnaire (its StreamField). Each block and each option keeps
the id Wagtail gives it, so answers name a question and an option by id across versions: a
question left unchanged in a new version is the same question in the reports."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

# The Likert scales, 1 to 5. Labels are in code, so both languages read them.
SCALES = {
    "agreement": [
        _("Strongly disagree"),
        _("Disagree"),
        _("Neither agree nor disagree"),
        _("Agree"),
        _("Strongly agree"),
    ],
    "satisfaction": [
        _("Very dissatisfied"),
        _("Dissatisfied"),
        _("Neutral"),
        _("Satisfied"),
        _("Very satisfied"),
    ],
    "usefulness": [
        _("Not at all useful"),
        _("Slightly useful"),
        _("Moderately useful"),
        _("Very useful"),
        _("Extremely useful"),
    ],
}
SCALE_CHOICES = [
    ("agreement", _("Agreement (strongly disagree … strongly agree)")),
    ("satisfaction", _("Satisfaction (very dissatisfied … very satisfied)")),
    ("usefulness", _("Usefulness (not at all … extremely useful)")),
]
SCALE_POINTS = 5


class LikertBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Question"), max_length=500)
    scale = blocks.ChoiceBlock(choices=SCALE_CHOICES, default="agreement", label=_("Scale"))
    required = blocks.BooleanBlock(label=_("Answer required"), required=False, default=True)

    class Meta:
        icon = "list-ol"
        label = _("Rating (1–5 scale)")


class FreeTextBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Question"), max_length=500)
    required = blocks.BooleanBlock(label=_("Answer required"), required=False, default=False)

    class Meta:
        icon = "pilcrow"
        label = _("Free text")


class OptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Option"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct answer"), required=False, default=False)

    class Meta:
        icon = "tick"
        label = _("Option")


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Question"), max_length=500)
    options = blocks.ListBlock(OptionBlock(), min_num=2, max_num=12, label=_("Options"))
    points = blocks.DecimalBlock(
        label=_("Points"),
        default=Decimal("1"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text=_("What a fully correct answer earns, in a knowledge test."),
    )
    required = blocks.BooleanBlock(label=_("Answer required"), required=False, default=True)

    multiple = False

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["correct"])
        if not self.multiple and correct > 1:
            raise StructBlockValidationError(
                {"options": ValidationError(_("A single-choice question has one correct answer."))}
            )
        return value


class SingleChoiceBlock(ChoiceBlock):
    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceBlock(ChoiceBlock):
    multiple = True

    class Meta:
        icon = "list-ul"
        label = _("Multiple choice")


class QuestionsBlock(blocks.StreamBlock):
    likert = LikertBlock()
    text = FreeTextBlock()
    single = SingleChoiceBlock()
    multiple = MultipleChoiceBlock()

    class Meta:
        min_num = 1
        max_num = 100

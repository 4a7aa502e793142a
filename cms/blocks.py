"""StreamField blocks for editorial pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"))
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Level 2")), ("h3", _("Level 3"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        label = _("Heading")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"
        label = _("Image")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(required=False, label=_("Link text"))

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"
        label = _("Attachment")


class FunderPublicityBlock(blocks.StructBlock):
    """The publicity block funders require on project communication."""

    funder = blocks.ChoiceBlock(
        choices=[
            ("esf", _("European Social Fund (POCU 2014–2020)")),
            ("norway", _("Norway Grants 2014–2021")),
        ],
        label=_("Funder"),
    )

    class Meta:
        icon = "pick"
        template = "cms/blocks/funder_publicity.html"
        label = _("Funder publicity")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    image = ImageBlock()
    document = DocumentBlock()
    quote = blocks.BlockQuoteBlock(label=_("Quote"))
    funder_publicity = FunderPublicityBlock()

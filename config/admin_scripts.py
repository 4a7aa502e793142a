"""The Wagtail admin without inline scripts, so that its Content-Security-Policy can forbid them.

Wagtail 8 starts its form widgets and inline panels with small inline scripts
(`new SnippetChooser("id_x", {...});`, `initDateChooser(...)`, `new InlinePanel(...)`). Here each
of them is replaced by JSON data, which a browser never executes: a data block

    <script type="application/json" data-formativ-init>{"new": "SnippetChooser",
        "args": ["id_x", {"modalUrl": "..."}]}</script>

or, for the date and time inputs, an attribute on the input itself
(`<input ... data-formativ-init="{&quot;call&quot;: &quot;initDateChooser&quot;, ...}">`),

and static/admin/formativ_init.js (loaded on every admin page) makes the call, looking the
function up in a fixed list (INIT_FUNCTIONS, kept equal to the script's list): a block naming any
other function is ignored, and no text is ever evaluated. The blocks are built from the widgets'
own data, not by parsing the scripts Wagtail would have written.

`install()` (idempotent) patches the widgets and registers the script; the Content-Security-Policy
middleware calls it, so the strict admin policy and what makes it possible load together. A widget
we do not know how to start (a subclass with its own `render_js_init`) keeps Wagtail's inline
script, which the policy then blocks and tests/security/test_admin_csp.py reports.
"""

import json

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The functions a data block may call, as `new X(...)` (constructors) or `X(...)`.
INIT_CONSTRUCTORS = frozenset(
    {
        "Chooser",
        "PageChooser",
        "ImageChooser",
        "DocumentChooser",
        "SnippetChooser",
        "InlinePanel",
        "MultipleChooserPanel",
    }
)
INIT_FUNCTIONS = frozenset(
    {"initDateChooser", "initTimeChooser", "initDateTimeChooser", "createTaskChooser"}
)

# As django.utils.html.json_script: the block can never close itself early.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

_installed = False


def init_json(function: str, args: list, *, new: bool = False) -> str:
    """What asks formativ_init.js to call `function(*args)` (`new` for a constructor)."""
    allowed = INIT_CONSTRUCTORS if new else INIT_FUNCTIONS
    if function not in allowed:
        raise ValueError(f"{function} is not a function the admin may start")
    return json.dumps({"new" if new else "call": function, "args": args})


def init_block(function: str, args: list, *, new: bool = False) -> str:
    """The data block that asks formativ_init.js to call `function(*args)`."""
    payload = init_json(function, args, new=new)
    return format_html(
        '<script type="application/json" data-formativ-init>{}</script>',
        mark_safe(payload.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped JSON
    )


def _patch_choosers():
    from wagtail.admin.widgets.chooser import BaseChooser
    from wagtail.admin.widgets.workflows import AdminTaskChooser

    wagtail_render = BaseChooser.render
    wagtail_render_js_init = BaseChooser.render_js_init

    def render(self, name, value, attrs=None, renderer=None):
        cls = type(self)
        if isinstance(self, AdminTaskChooser) and cls.render_js_init is (
            AdminTaskChooser.render_js_init
        ):
            call = ("createTaskChooser", False)
        elif cls.render_js_init is wagtail_render_js_init and (
            self.js_constructor in INIT_CONSTRUCTORS
        ):
            call = (self.js_constructor, True)
        else:  # unknown start-up code: Wagtail's inline script (blocked, and reported)
            return wagtail_render(self, name, value, attrs, renderer)
        try:
            id_ = attrs["id"]
        except (KeyError, TypeError) as e:
            raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
        value_data = self.get_value_data(value)
        widget_html = self.render_html(name, value_data, attrs)
        function, new = call
        args = [id_, self.get_js_init_options(id_, name, value_data)] if new else [id_]
        return mark_safe(widget_html + init_block(function, args, new=new))  # noqa: S308

    BaseChooser.render = render


def _patch_date_inputs():
    from wagtail.admin.widgets import datetime as wagtail_datetime

    for cls, function, django_template in (
        (wagtail_datetime.AdminDateInput, "initDateChooser", "django/forms/widgets/date.html"),
        (wagtail_datetime.AdminTimeInput, "initTimeChooser", "django/forms/widgets/time.html"),
        (
            wagtail_datetime.AdminDateTimeInput,
            "initDateTimeChooser",
            "django/forms/widgets/datetime.html",
        ),
    ):
        cls.get_context = _date_context(
            cls.get_context, cls.template_name, function, django_template
        )
        cls.render = _date_render


def _date_context(wagtail_get_context, wagtail_template, function, django_template):
    # Wagtail's template is Django's input followed by `<script>function(id, config)</script>`.
    # Instead: Django's input, carrying the call in a data attribute. The context names the
    # template, so that multi-widgets (the listings' date range filters), which include their
    # parts' templates rather than render them, get it too.
    def get_context(self, name, value, attrs):
        context = wagtail_get_context(self, name, value, attrs)
        widget = context["widget"]
        if self.template_name != wagtail_template:  # a subclass with a template of its own
            return context
        widget["template_name"] = django_template
        widget_id = widget["attrs"].get("id")
        if widget_id:
            widget["attrs"]["data-formativ-init"] = init_json(
                function, [widget_id, self.get_config()]
            )
        return context

    return get_context


def _date_render(self, name, value, attrs=None, renderer=None):
    context = self.get_context(name, value, attrs)
    return self._render(context["widget"]["template_name"], context, renderer)


def _patch_inline_panels():
    # templates/wagtailadmin/panels/{inline_panel,multiple_chooser_panel}.html print this block
    # where Wagtail's templates hold `new InlinePanel(...)` / `new MultipleChooserPanel(...)`.
    from wagtail.admin.panels import InlinePanel, MultipleChooserPanel

    for panel_cls, constructor in (
        (InlinePanel, "InlinePanel"),
        (MultipleChooserPanel, "MultipleChooserPanel"),
    ):
        bound = panel_cls.BoundPanel
        bound.get_context_data = _panel_context(bound.get_context_data, constructor)


def _panel_context(wagtail_get_context_data, constructor):
    def get_context_data(self, parent_context=None):
        context = wagtail_get_context_data(self, parent_context)
        context["formativ_init"] = init_block(constructor, [self.js_opts()], new=True)
        return context

    return get_context_data


def global_admin_js():
    return format_html('<script src="{}" defer></script>', static("admin/formativ_init.js"))


def install():
    """Patch Wagtail's widgets and panels to start from data blocks, and load the starter on
    every admin page. Safe to call more than once."""
    global _installed  # noqa: PLW0603 - a once-only switch
    if _installed:
        return
    _installed = True
    from wagtail import hooks

    _patch_choosers()
    _patch_date_inputs()
    _patch_inline_panels()
    hooks.register("insert_global_admin_js", global_admin_js)

"""Back-office plumbing shared by the apps' viewsets: admin writes go through services."""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import ProtectedError, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views import generic
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets

from training.access import require_in_scope, staff_scope
from training.text import name_match_key


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one,
    at the top otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, exc)


class ServiceSaveMixin:
    """Create/edit views whose save calls the viewset's service instead of `form.save()`.

    The viewset passes `save_service`: a callable `(instance, acting_user, form) -> instance`.
    A ValidationError from the service rolls the transaction back and redisplays the form."""

    save_service = None

    def save_instance(self):
        instance = self.form.save(commit=False)
        instance = self.save_service(
            instance=instance, acting_user=self.request.user, form=self.form
        )
        self.form.save_m2m()
        return instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ServiceCreateView(ServiceSaveMixin, generic.CreateView):
    pass


class ServiceEditView(ServiceSaveMixin, generic.EditView):
    pass


class ServiceSnippetCreateView(ServiceSaveMixin, snippets.CreateView):
    pass


class ServiceSnippetEditView(ServiceSaveMixin, snippets.EditView):
    pass


class ServiceViewSetMixin:
    """For a (snippet or model) viewset: route add/edit through `save_service`."""

    save_service = None

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(save_service=self.save_service, **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(save_service=self.save_service, **kwargs)


class ChooserPermissionMixin:
    """A chooser lists people and sessions: only for users who may see or edit that model
    (or edit what links to it, which takes the same permissions in practice). Wagtail's
    chooser views check no model permission: every view of a chooser (the list, its
    results, `chosen/<pk>/` and `chosen-multiple/`) takes this mixin."""

    chooser_actions = ("view", "add", "change")

    def dispatch(self, request, *args, **kwargs):
        opts = self.model_class._meta
        if not any(
            request.user.has_perm(f"{opts.app_label}.{a}_{opts.model_name}")
            for a in self.chooser_actions
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin:
    """A view of one record (edit, delete, inspect, history, usage): a record outside the
    user's staff scope (`scope_q(scope)`, a filter on the model) is not found (404), even by
    guessing its id. Model permissions still decide what the user may do with it."""

    scope_q = None  # staticmethod: (StaffScope) -> Q

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        require_in_scope(self.request.user, obj, self.scope_q)
        return obj


def scoped_view(view_class, scope_q):
    """`view_class` whose record must be in the user's scope (see ScopedObjectMixin)."""
    return type(
        view_class.__name__, (ScopedObjectMixin, view_class), {"scope_q": staticmethod(scope_q)}
    )


class ProtectedDeleteMixin:
    """Deleting a record that others still use: a message, not a server error."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ProtectedError:
            messages.error(
                request,
                _("“%(object)s” is still used by other records, so it cannot be deleted.")
                % {"object": self.object},
            )
            return redirect(self.get_success_url())


class ProtectedDeleteView(ProtectedDeleteMixin, generic.DeleteView):
    pass


class ProtectedSnippetDeleteView(ProtectedDeleteMixin, snippets.DeleteView):
    pass


def orm_search_filter_form(*fields: str, folded: tuple[str, ...] = ()):
    """A chooser filter form that searches with the database (icontains on each word) rather
    than a search index; `folded` fields hold matching keys, searched with the folded word."""

    class OrmSearchFilterForm(BaseFilterForm):
        q = forms.CharField(
            label=_("Search term"),
            required=False,
            widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        )

        def filter(self, objects):
            objects = super().filter(objects)
            query = (self.cleaned_data.get("q") or "").strip()
            if query:
                for word in query.split():
                    condition = Q()
                    for name in fields:
                        condition |= Q(**{f"{name}__icontains": word})
                    for name in folded:
                        key = name_match_key(word)
                        if key:
                            condition |= Q(**{f"{name}__contains": key})
                    objects = objects.filter(condition)
                self.is_searching = True
                self.search_query = query
            return objects

    return OrmSearchFilterForm


def orm_search_snippet_chooser(
    *fields: str,
    folded: tuple[str, ...] = (),
    scope_q=None,
    actions: tuple[str, ...] = ChooserPermissionMixin.chooser_actions,
):
    """A snippet chooser viewset class whose modal searches with the database, for users
    holding one of the model's `actions` permissions (403 for the others, on every view of
    the chooser); with `scope_q` ((StaffScope) -> Q), it lists and returns only the records
    in the user's scope (a record outside it is not found, 404, even by its id)."""
    form_class = orm_search_filter_form(*fields, folded=folded)

    class Gate(ChooserPermissionMixin):
        chooser_actions = actions

    class ScopedList:
        def get_object_list(self):
            objects = super().get_object_list()
            if scope_q is not None:
                objects = objects.filter(scope_q(staff_scope(self.request.user)))
            return objects

    class Choose(Gate, ScopedList, snippet_chooser.ChooseView):
        filter_form_class = form_class

    class Results(Gate, ScopedList, snippet_chooser.ChooseResultsView):
        filter_form_class = form_class

    class Chosen(Gate, snippet_chooser.SnippetChosenView):
        def get_object(self, pk):
            obj = super().get_object(pk)
            if scope_q is not None:
                require_in_scope(self.request.user, obj, scope_q)
            return obj

    class ChosenMultiple(Gate, snippet_chooser.SnippetChosenMultipleView):
        def get_objects(self, pks):
            objects = super().get_objects(pks)
            if scope_q is None:
                return objects
            scope = staff_scope(self.request.user)
            if scope.all:
                return objects
            found = list(objects.filter(scope_q(scope)))
            # one of the ids outside the scope (or nowhere): as if it did not exist
            if {str(o.pk) for o in found} != {str(pk) for pk in pks}:
                raise Http404
            return found

    class Chooser(snippet_chooser.SnippetChooserViewSet):
        choose_view_class = Choose
        choose_results_view_class = Results
        chosen_view_class = Chosen
        chosen_multiple_view_class = ChosenMultiple

    return Chooser


class RestrictedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, minus actions nobody may take in the back office (not even a
    superuser): e.g. editing official lists, or deleting what is evidence for funders."""

    def __init__(self, model, *, forbidden: set[str], **kwargs):
        super().__init__(model, **kwargs)
        self.forbidden = frozenset(forbidden)

    def user_has_permission(self, user, action):
        return action not in self.forbidden and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        allowed = [a for a in actions if a not in self.forbidden]
        return bool(allowed) and super().user_has_any_permission(user, allowed)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions):
        allowed = [a for a in actions if a not in self.forbidden]
        if not allowed:
            return super().users_with_any_permission(actions).none()
        return super().users_with_any_permission(allowed)

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from training.admin_views import RestrictedPermissionPolicy
from training.models import County, Sector
from training.viewsets import OfferGroup, ReferenceGroup, RegistryGroup, user_chooser_viewset

# Registered before the viewsets, so that the admin never offers to edit official lists.
_READ_ONLY = {"add", "change", "delete"}
register_permission_policy(County, RestrictedPermissionPolicy(County, forbidden=_READ_ONLY))
register_permission_policy(Sector, RestrictedPermissionPolicy(Sector, forbidden=_READ_ONLY))
register_snippet(RegistryGroup)
register_snippet(OfferGroup)
register_snippet(ReferenceGroup)


@hooks.register("register_admin_viewset")
def register_user_chooser():
    return user_chooser_viewset

"""REST endpoints for the registry: counties, professionals."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from config.api_support import BoundedPagination, InputSchema, clean_query_text, require_perm
from training import selectors
from training.access import staff_scope
from training.models import County
from training.services import professional_create

router = Router(tags=["registry"])


class CountyOut(Schema):
    code: str
    name: str
    siruta: int
    development_region: str


class ProfessionalIn(InputSchema):
    first_name: str
    last_name: str
    county: str
    email: str = ""
    phone: str = ""
    sex: str = ""
    birth_date: datetime.date | None = None
    institution_id: int | None = None
    category_id: int | None = None
    category_detail: str = ""
    position: str = ""
    cnp: str = ""


class ProfessionalOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    county: str
    institution: str | None
    category: str | None
    cnp: str

    @staticmethod
    def resolve_county(obj):
        return obj.county.code

    @staticmethod
    def resolve_institution(obj):
        return obj.institution.name if obj.institution_id else None

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_cnp(obj):
        return obj.cnp_masked


def county_by_code(code: str) -> County:
    code = clean_query_text(code)
    county = County.objects.filter(code__iexact=code).first()
    if county is None:
        raise ValidationError({"county": [_("Unknown county code “%(code)s”.") % {"code": code}]})
    return county


def _visible_professionals(request):
    """The registry as this caller may read it: the people of their scope (others are 404)."""
    return selectors.professional_list().filter(staff_scope(request.user).professionals_q())


@router.get("/counties", response=list[CountyOut])
def list_counties(request):
    return County.objects.all()


@router.post("/professionals", response={201: ProfessionalOut})
def create_professional(request, payload: ProfessionalIn):
    require_perm(request, "training.add_professional")
    data = payload.dict()
    cnp = data.pop("cnp") or None
    data["county"] = county_by_code(data["county"])
    scope = staff_scope(request.user)
    # A coordinator adds people of their own county (or institution); organisers, who fill
    # their projects' seats from the whole registry, and administrators add anyone.
    if not (
        scope.all
        or scope.project_ids
        or data["county"].pk in scope.county_ids
        or (data["institution_id"] is not None and data["institution_id"] in scope.institution_ids)
    ):
        raise PermissionDenied(_("You cannot add people outside your county or institution."))
    professional = professional_create(acting_user=request.user, cnp=cnp, **data)
    return Status(201, selectors.professional_list().get(pk=professional.pk))


@router.get("/professionals", response=list[ProfessionalOut])
@paginate(BoundedPagination)
def list_professionals(request, county: str | None = None):
    require_perm(request, "training.view_professional")
    qs = _visible_professionals(request)
    if county:
        qs = qs.filter(county=county_by_code(county))
    return qs


@router.get("/professionals/{professional_id}", response=ProfessionalOut)
def get_professional(request, professional_id: int):
    from audit.services import person_view_log

    require_perm(request, "training.view_professional")
    professional = get_object_or_404(_visible_professionals(request), pk=professional_id)
    person_view_log(professional=professional, user=request.user, via="api")
    return professional

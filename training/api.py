"""REST endpoints for the registry: counties, professionals."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from config.api_support import BoundedPagination, InputSchema, clean_query_text, require_perm
from training import selectors
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


@router.get("/counties", response=list[CountyOut])
def list_counties(request):
    return County.objects.all()


@router.post("/professionals", response={201: ProfessionalOut})
def create_professional(request, payload: ProfessionalIn):
    require_perm(request, "training.add_professional")
    data = payload.dict()
    cnp = data.pop("cnp") or None
    data["county"] = county_by_code(data["county"])
    professional = professional_create(acting_user=request.user, cnp=cnp, **data)
    return Status(201, selectors.professional_list().get(pk=professional.pk))


@router.get("/professionals", response=list[ProfessionalOut])
@paginate(BoundedPagination)
def list_professionals(request, county: str | None = None):
    require_perm(request, "training.view_professional")
    qs = selectors.professional_list()
    if county:
        qs = qs.filter(county=county_by_code(county))
    return qs


@router.get("/professionals/{professional_id}", response=ProfessionalOut)
def get_professional(request, professional_id: int):
    require_perm(request, "training.view_professional")
    return get_object_or_404(selectors.professional_list(), pk=professional_id)

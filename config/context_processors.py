from types import SimpleNamespace

from django.conf import settings

from agents.permissions import espaces_de

# Configuration DSFR statique : évite une requête en base à chaque page.
SITE = SimpleNamespace(
    site_title="Itinera",
    site_tagline="Ordres de mission et frais de déplacement",
    header_brand_html="Ministère<br>de l'Éducation<br>nationale",
    beta_tag=False,
    mourning=False,
    notice_title="",
    notice_description="",
    operator_logo_file=None,
    operator_logo_alt="",
    operator_logo_width=0,
)


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_CONFIG": SITE,
        "DEMO": settings.DEMO,
        "espaces": espaces_de(user) if user is not None else [],
    }

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.middleware import SESSION_SITE_KEY
from core.models import Site


@login_required
def home(request):
    """The start page: the user's modules, and the shop-floor tiles for tablet roles."""
    return render(request, "core/home.html")


@login_required
def tablet_home(request):
    return render(request, "core/tablet_home.html")


@login_required
@require_POST
def set_site(request):
    site = Site.objects.for_user(request.user).filter(code=request.POST.get("site"), active=True).first()
    if site is not None:
        request.session[SESSION_SITE_KEY] = site.code
    back = request.META.get("HTTP_REFERER", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)

from django.shortcuts import render

from atc.permissions import can_write_site, get_site_for_user


def site_home(request, slug):
    """The site's home page for everyone who may read the site."""
    site = get_site_for_user(request, slug)
    return render(
        request,
        "sites/site_home.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "neighbourhoods": site.neighbourhoods.all(),
        },
    )

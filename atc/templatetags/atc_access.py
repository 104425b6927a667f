from django import template

from atc.permissions import can_write_site

register = template.Library()


@register.filter
def writable_by(site, user) -> bool:
    """`{% if site|writable_by:user %}`: show write links only to the site team."""
    return can_write_site(user, site)

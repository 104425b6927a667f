"""allauth adapter: no open sign-up; accounts are created by administrators or the national team."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

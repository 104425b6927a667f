"""The « Définitions » page: every figure of the platform as the registry declares it."""

from django.shortcuts import render

from evaluation.figures import attention, registry


def definitions(request):
    """Readable by every signed-in person: definitions say how figures are counted, not what they are."""
    return render(
        request,
        "definitions/index.html",
        {"themes": registry.by_theme(), "attention_rules": attention.RULES},
    )

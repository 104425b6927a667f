"""The one French number format of the platform: pages, chart labels, export labels and PDF reports
all print numbers through `format_number` (templates through the `number` and `percent` filters of
`atc.templatetags.formats`), so a figure never reads « 4944 » on one line and « 4 997 » on the next.

French rules: a narrow no-break space between thousands, a decimal comma, halves rounded up (as a
reader rounds by hand), no trailing `,0` on a whole number, an em dash for no value.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NARROW_NBSP = "\u202f"
NO_VALUE = "—"

Number = int | float | Decimal


def format_number(value: Number | None, decimals: int = 1) -> str:
    """`0,8`, `1 234`, `12,5`; at most `decimals` decimals, none for a whole number; `—` for None."""
    if type(value) is int:  # most cells of a table: no rounding to do
        return f"{value:,}".replace(",", NARROW_NBSP)
    if value is None or value == "":
        return NO_VALUE
    try:
        # A float through its shortest repr: 0.35 rounds to 0,4 as written, not as stored in binary.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{int(rounded):,}" if rounded == rounded.to_integral_value() else f"{rounded:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def format_percent(value: Number | None, decimals: int = 0) -> str:
    """`57 %` (a narrow no-break space before the sign), or `—` for no value."""
    if value is None:
        return NO_VALUE
    return f"{format_number(value, decimals)}{NARROW_NBSP}%"


def format_euros(value: Number | None) -> str:
    """`1 234 €`, `12,50 €`: an amount in euros with cents only when it has some; `—` for none."""
    if value is None:
        return NO_VALUE
    number = Decimal(value)
    decimals = 0 if number == number.to_integral_value() else 2
    text = format_number(number, decimals)
    if decimals:
        whole, cents = text.split(",")
        text = f"{whole},{cents.ljust(2, '0')}"
    return f"{text}{NARROW_NBSP}€"


def format_share(part: Number, whole: Number, decimals: int = 0) -> str:
    """`part` as a percentage of `whole`, or `—` when there is nothing to divide by."""
    if not whole:
        return NO_VALUE
    return format_percent(Decimal(part) * 100 / Decimal(whole), decimals)

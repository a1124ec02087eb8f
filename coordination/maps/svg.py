"""The countries and pins of a drawn map (`render.WorldMap`) as SVG markup, written here rather than in
a template loop: a world map has some 230 countries and 280 mission pins, which a Jinja loop took 30 ms
a page to lay out. The template keeps the frame, the legend and the figures."""

from flask_babel import get_locale, gettext, ngettext
from markupsafe import Markup, escape

from coordination.countries import country_name
from coordination.labels import label
from coordination.maps.render import DrawnCountry, WorldMap


def _tips():
    """What a shaded country says when pointed at (its <title>), translated: the sentence looked up once
    per count of early warnings, the country and severity escaped into it."""
    sentences: dict[int, Markup] = {}
    language = str(get_locale())
    severities: dict[str, str] = {}

    def tip(country: DrawnCountry) -> Markup:
        shade = country.shade
        if shade.count not in sentences:
            sentences[shade.count] = Markup(
                ngettext(
                    "%(country)s: %(num)s early warning, highest severity %(severity)s",
                    "%(country)s: %(num)s early warnings, highest severity %(severity)s",
                    shade.count,
                    country="%(country)s",
                    severity="%(severity)s",
                )
            )
        if shade.worst not in severities:
            severities[shade.worst] = label("severity", shade.worst)
        return sentences[shade.count] % {
            "country": country_name(country.code, shade.name, language=language),
            "severity": severities[shade.worst],
        }

    return tip


def shapes_and_pins(m: WorldMap) -> Markup:
    """Each country as a path (a dot when too small to draw), then the missions' and reports' pins."""
    r = m.radius
    tip = _tips()
    out = []
    for c in m.countries:
        data = f' data-country="{escape(c.code)}"' if c.shade else ""
        title = f"<title>{tip(c)}</title>" if c.shade else ""
        if c.path:
            out.append(f'<path class="{escape(c.classes)}"{data} d="{escape(c.path)}">{title}</path>\n')
        else:
            out.append(
                f'<circle class="{escape(c.classes)} dot"{data} cx="{c.dot[0]}" cy="{c.dot[1]}" r="{r}">'
                f"{title}</circle>\n"
            )
    side = round(r * 1.4, 1)
    for p in m.missions:
        out.append(
            f'<rect class="pin mission" x="{round(p.x - r * 0.7, 1)}" y="{round(p.y - r * 0.7, 1)}" '
            f'width="{side}" height="{side}"><title>{escape(p.pin.label)}</title></rect>\n'
        )
    for p in m.reports:
        key = f' data-report="{escape(p.pin.key)}"' if p.pin.key else ""
        out.append(
            f'<circle class="pin report sev-{escape(p.pin.severity)}"{key} cx="{round(p.x, 1)}" '
            f'cy="{round(p.y, 1)}" r="{r}"><title>{escape(p.pin.label)}, '
            f"{escape(label('severity', p.pin.severity))}</title></circle>\n"
        )
    return Markup("".join(out))


def pins_as_list(m: WorldMap) -> Markup:
    """The pins again as list items, for those who do not see the map."""
    located, mission = Markup(gettext("Located report")), Markup(gettext("Mission"))
    reports = (
        f"<li>{located}: {escape(p.pin.label)}, {escape(label('severity', p.pin.severity))}</li>"
        for p in m.reports
    )
    missions = (f"<li>{mission}: {escape(p.pin.label)}</li>" for p in m.missions)
    return Markup("".join(reports) + "\n" + "".join(missions))

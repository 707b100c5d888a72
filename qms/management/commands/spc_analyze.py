"""`python manage.py spc_analyze FILE --chart C [--subgroup-size N] [--phase1 K] [--lsl X --usl Y] [--json]`"""

import unicodedata

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from qms.services import spc
from qms.spc import CHARTS

TABLE_ALL_UP_TO = 60
TABLE_FLAGGED_UP_TO = 200


def _rule_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(_("--rules takes rule numbers separated by commas, such as 1,2,5.")) from exc


def _pad(text: str, width: int) -> str:
    """Left-align `text` in `width` columns as a terminal shows it (combining marks take none)."""
    return text + " " * max(width - sum(not unicodedata.combining(char) for char in text), 0)


def _number(value) -> str:
    return "-" if value is None else f"{value:.6g}"


class Command(BaseCommand):
    requires_system_checks = []  # no apps, no database: see config/cli_settings.py
    help = _("Control chart, Nelson rules and capability from a CSV (subgroup,value or subgroup,count,size).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--chart", required=True, choices=CHARTS)
        parser.add_argument("--subgroup-size", type=int, dest="subgroup_size")
        parser.add_argument("--phase1", type=int, help=_("compute the limits from the first K subgroups"))
        parser.add_argument("--lsl", type=float)
        parser.add_argument("--usl", type=float)
        parser.add_argument("--rules", help=_("Nelson rules to check, such as 1,2,5 (default all eight)"))
        parser.add_argument("--json", action="store_true", help=_("print one JSON object"))

    def handle(self, *args, **options):
        try:
            result = spc.analyze_csv(
                path=options["file"],
                chart=options["chart"],
                phase1=options["phase1"],
                subgroup_size=options["subgroup_size"],
                lsl=options["lsl"],
                usl=options["usl"],
                rules=_rule_list(options["rules"]) if options["rules"] else None,
            )
        except ValidationFailed as error:
            raise CommandError(str(error.message)) from error
        if options["json"]:
            # orjson: the result can hold a million floats, which json.dumps writes ten times slower;
            # on a real stdout the bytes go out as they are, with no decode and re-encode
            payload = orjson.dumps(result.to_dict())
            raw = getattr(self.stdout._out, "buffer", None)
            if raw is None:
                self.stdout.write(payload.decode())
            else:
                self.stdout.flush()
                raw.write(payload + b"\n")
                raw.flush()
        else:
            self.stdout.write("\n".join(self.table(result)))

    def table(self, result) -> list[str]:
        data = result.to_dict()
        lines = [
            _("%(chart)s chart: %(count)s subgroups, limits from the first %(phase1)s (phase I)")
            % {"chart": spc.CHART_LABELS[result.chart], "count": result.subgroups, "phase1": result.phase1},
            "",
        ]
        rows = [(spc.CHART_LABELS[result.chart], data["center"], data["ucl"], data["lcl"])]
        if data["secondary"]:
            rows.append((result.secondary.name, *(data["secondary"][key] for key in ("center", "ucl", "lcl"))))
        lines.append(f"{'':8} {_('centre'):>14} {_('UCL'):>14} {_('LCL'):>14}")
        for name, *values in rows:
            cells = [(_("varies") if isinstance(value, list) else _number(value)) for value in values]
            lines.append(_pad(name, 8) + " " + " ".join(f"{cell:>14}" for cell in cells))

        capability = data["capability"]
        if capability:
            lines += ["", _("Capability (phase I):")]
            lines.append(
                "  " + "  ".join(f"{key.capitalize()} {_number(capability[key])}" for key in ("cp", "cpk", "pp", "ppk"))
            )
            lines.append(
                "  "
                + _("mean %(mean)s, sigma within %(within)s, overall %(overall)s")
                % {
                    "mean": _number(capability["mean"]),
                    "within": _number(capability["sigma_within"]),
                    "overall": _number(capability["sigma_overall"]),
                }
            )
            normality = capability["normality"]
            if normality:
                verdict = _("normal") if normality["p_value"] >= 0.05 else _("not normal")
                lines.append(
                    "  "
                    + _("Anderson-Darling A² %(statistic)s, p %(p)s (%(verdict)s at 5 %%)")
                    % {
                        "statistic": _number(normality["statistic"]),
                        "p": _number(normality["p_value"]),
                        "verdict": verdict,
                    }
                )

        by_subgroup: dict[int, list[int]] = {}
        for violation in result.violations:
            by_subgroup.setdefault(violation["subgroup"], []).append(violation["rule"])
        lines += [
            "",
            _("Violations:")
            if result.violations
            else _("No violations of rules %(rules)s.") % {"rules": ", ".join(map(str, result.rules))},
        ]
        for rule in result.rules:
            hits = [v["subgroup"] for v in result.violations if v["rule"] == rule]
            if hits:
                shown = ", ".join(map(str, hits[:20])) + (
                    _(" … and %(more)s more") % {"more": len(hits) - 20} if len(hits) > 20 else ""
                )
                lines.append(f"  {rule}. {spc.RULE_LABELS[rule]}: {shown}")

        indexes = (
            range(result.subgroups) if result.subgroups <= TABLE_ALL_UP_TO else [i - 1 for i in sorted(by_subgroup)]
        )
        indexes = list(indexes)[:TABLE_FLAGGED_UP_TO]
        if indexes:
            second = result.secondary.name if result.secondary else ""
            lines += [
                "",
                f"{'#':>6} {_('subgroup'):>10} {'n':>6} {_('point'):>12} {_('LCL'):>12} {_('UCL'):>12} {second:>10}  {_('rules')}",
            ]
            for i in indexes:
                extra = (
                    _number(float(result.secondary.points[i]))
                    if result.secondary
                    and i < len(result.secondary.points)
                    and result.secondary.points[i] == result.secondary.points[i]
                    else ""
                )
                lines.append(
                    f"{i + 1:>6} {result.labels[i]!s:>10} {_number(float(result.sizes[i])):>6} {_number(float(result.points[i])):>12} "
                    f"{_number(float(result.lcl[i])):>12} {_number(float(result.ucl[i])):>12} {extra:>10}  "
                    + ",".join(map(str, by_subgroup.get(i + 1, [])))
                )
        return lines

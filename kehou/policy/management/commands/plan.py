"""`kehou plan check`: a school plan's shortfalls against its region's profile (R6).

    kehou plan check --school 3205060001 --term 2026-1 [--json]
    kehou plan check --all [--region 320500] [--term 2026-1]

Exit code 0 when the plan meets every rule, 1 when it falls short, 2 on bad input. The
text names rules and content in Chinese words, never by their codes; --json gives the
same facts, the "rule not checked" notes included (`notes`).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from kehou.lib.vocabulary import CATEGORY_NAMES_ZH
from kehou.org.models import Region, School
from kehou.policy import selectors
from kehou.policy.models import PolicyProfile
from kehou.policy_rules import RULE_ZH, profile_gap_fields, profile_gaps
from kehou.policy_rules.check import jsonable
from kehou.terms.models import Term
from kehou.terms.selectors import TERM_CODE, current_term, term_for_code


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _shown(value) -> str:
    if value is None:
        return "未说明"
    if value is True:
        return "是"
    if value is False:
        return "否"
    value = jsonable(value)
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value) or "无"
    if isinstance(value, str) and value in CATEGORY_NAMES_ZH:
        return CATEGORY_NAMES_ZH[value]  # a content category's code: its name
    return str(value)


def _notes(profile: PolicyProfile) -> list[dict]:
    """The profile's "rule not checked" notes, as --json carries them."""
    rules = selectors.profile_rules(profile)
    return [
        {"field": name, "message": message}
        for name, message in zip(profile_gap_fields(rules), profile_gaps(rules), strict=True)
    ]


class Command(BaseCommand):
    help = "Check school plans against their region's policy profile."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="list every shortfall of a plan")
        check.add_argument("--school", help="the school's 10-digit code")
        check.add_argument("--term", help='the term, e.g. "2026-1" (autumn 2026)')
        check.add_argument("--json", action="store_true", help="print Shortfall.as_dict() list")
        check.add_argument("--all", action="store_true", help="every school, as a table")
        check.add_argument("--region", help="with --all: only schools under this region code")

    def handle(self, *args, **options):
        if options["all"]:
            return self._check_all(options)
        if not options["school"] or not options["term"]:
            raise _bad("请同时给出 --school 学校标识码 和 --term 学期(如 2026-1),或使用 --all")
        try:
            school = School.objects.select_related("region").get(code=options["school"])
        except School.DoesNotExist:
            raise _bad(f"学校标识码{options['school']}不存在") from None
        term = self._term(options["term"])
        plan = selectors.current_plan(school=school, term=term)
        if plan is None:
            raise _bad(f"{school.name}没有{term.code}学期的课后服务方案")
        profile = selectors.profile_for_school(school)
        if profile is None:
            raise _bad(f"{school.region.name}及其上级地区未设定课后服务政策,无法检查")
        shortfalls = selectors.plan_check(plan=plan, profile=profile)
        if options["json"]:
            report = {
                "school": school.code,
                "term": term.code,
                "plan_version": plan.version,
                "plan_status": plan.status,
                "profile": profile.key,
                "profile_version": profile.version,
                "notes": _notes(profile),
                "shortfalls": [s.as_dict() for s in shortfalls],
            }
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._print(school, term, plan, profile, shortfalls)
        if shortfalls:
            raise SystemExit(1)

    def _term(self, code: str) -> Term:
        if not TERM_CODE.match(code):
            raise _bad(f"学期代码“{code}”无效(写法如2026-1:2026年秋季学期;2026-2:2027年春季学期)")
        try:
            return term_for_code(code)
        except Term.DoesNotExist:
            raise _bad(f"学期{code.strip()}不存在") from None

    def _print(self, school, term, plan, profile: PolicyProfile, shortfalls) -> None:
        out = self.stdout
        out.write(
            f"{school.name}({school.code}){term.code}学期方案 第{plan.version}版"
            f"({plan.get_status_display()}),对照:{profile.name}(第{profile.version}版)"
        )
        for gap in profile_gaps(selectors.profile_rules(profile)):
            out.write(f"提示:{gap}")
        if not shortfalls:
            out.write(self.style.SUCCESS("本方案符合所有规定"))
            return
        failing = [s for s in shortfalls if not s.unknown]
        unknown = [s for s in shortfalls if s.unknown]
        out.write(self.style.WARNING(f"不符合{len(failing)}项,未说明{len(unknown)}项:"))
        for number, s in enumerate(shortfalls, start=1):
            mark = "[未说明]" if s.unknown else ""
            scope = f"({s.scope})" if s.scope else ""
            out.write(f"{number}. {mark}{RULE_ZH[s.rule]}{scope}:{s.message}")
            out.write(f"   方案:{_shown(s.plan_value)};要求:{_shown(s.required)}")
            out.write(f"   依据:{s.citation.document} {s.citation.place}".rstrip())
            out.write(f"   原文:{s.citation.quote}")

    def _check_all(self, options) -> None:
        started = time.perf_counter()
        schools = School.objects.all()
        if options["region"]:
            try:
                region = Region.objects.get(code=options["region"])
            except Region.DoesNotExist:
                raise _bad(f"地区代码{options['region']}不存在") from None
            schools = schools.filter(region__path__startswith=region.path)
        term = self._term(options["term"]) if options["term"] else current_term()
        if term is None:
            raise _bad("还没有任何学期")
        table = selectors.compliance_table(schools, term=term)
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "school": row.school.code,
                            "name": row.school.name,
                            "plan_version": row.plan.version if row.plan else None,
                            "plan_status": row.plan.status if row.plan else None,
                            "notes": _notes(row.profile) if row.profile else [],
                            "shortfalls": [s.as_dict() for s in row.shortfalls],
                        }
                        for row in table.rows
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            for row in table.rows:
                if row.plan is None:
                    verdict = "无方案"
                elif row.profile is None:
                    verdict = "无适用政策"
                elif row.shortfalls:
                    verdict = f"{len(row.shortfalls)}项:" + ";".join(
                        RULE_ZH[s.rule] for s in row.shortfalls
                    )
                else:
                    verdict = "符合所有规定"
                self.stdout.write(f"{row.school.code} {row.school.name} {verdict}")
            for profile, target in table.targets:
                self.stdout.write(f"{profile.name}:{target.message}")
            self.stdout.write(
                f"{term.code}学期:{table.schools_total}所学校,{table.with_plan}所有方案,"
                f"{table.compliant}所符合所有规定;用时{elapsed:.2f}秒"
            )
        if any(row.shortfalls or row.plan is None for row in table.rows):
            raise SystemExit(1)

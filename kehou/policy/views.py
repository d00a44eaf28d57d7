"""Pages for the school plan, its compliance and the locality profile (SPEC R4, R5, R6).

Thin: parse with kehou.policy.forms, read with kehou.policy.selectors (which scope through
kehou.org.access), write with kehou.policy.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehou.accounts.models import User
from kehou.core.labels import category_label, weekdays_label
from kehou.org import access
from kehou.org.models import LeadershipMember
from kehou.policy import selectors, services
from kehou.policy.forms import (
    AdoptForm,
    LeaderFormSet,
    PlanEditor,
    ProfileForm,
    TableFilterForm,
)
from kehou.policy.models import PolicyProfile
from kehou.policy_rules import RULE_ZH, profile_gaps
from kehou.terms.models import Term
from kehou.terms.selectors import current_term
from kehou.terms.selectors import terms as all_terms


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


@login_required
def plan_home(request):
    """School staff land on their school's plans; the bureau on the compliance table."""
    user = request.user
    if user.role == User.Role.BUREAU:
        return redirect("policy:table")
    if not user.school_id or not selectors.may_read_plans(user):
        raise Http404
    return redirect("policy:school_plans", school_pk=user.school_id)


@login_required
def school_plans(request, school_pk: int):
    school = selectors.access_school_for_plans(request.user, school_pk)
    terms = []
    for term in all_terms():
        versions = list(selectors.plan_versions(school, term))
        current = selectors.current_plan(school=school, term=term)
        draft = next((p for p in versions if p.status == "draft"), None)
        terms.append({"term": term, "versions": versions, "current": current, "draft": draft})
    return render(
        request,
        "policy/school_plans.html",
        {
            "school": school,
            "terms": terms,
            "may_manage": access.may_manage_school(request.user, school),
            "profile": selectors.profile_for_school(school),
            "leadership": school.leadership.all(),
        },
    )


@login_required
@require_POST
def plan_start(request, school_pk: int, term_pk: int):
    school = selectors.access_school_for_plan_edit(request.user, school_pk)
    try:
        term = Term.objects.get(pk=term_pk)
    except Term.DoesNotExist as error:
        raise Http404 from error
    plan = services.plan_start_draft(school=school, term=term, actor=request.user)
    messages.success(request, _("Draft version %(v)s is ready to edit.") % {"v": plan.version})
    return redirect("policy:edit", plan_pk=plan.pk)


def _plan_context(plan) -> dict:
    return {
        "plan": plan,
        "weekdays_label": weekdays_label(plan.service_weekdays),
        "content": [(c, category_label(c.category)) for c in plan.content.all()],
    }


@login_required
def plan_detail(request, plan_pk: int):
    plan = selectors.plan_with_parts(selectors.access_plan(request.user, plan_pk))
    context = _plan_context(plan)
    context.update(
        {
            "may_manage": access.may_manage_school(request.user, plan.school),
            "versions": selectors.plan_versions(plan.school, plan.term),
            "leadership": plan.school.leadership.all(),
            "calendar_problems": _calendar_problems(plan),
        }
    )
    return render(request, "policy/plan_detail.html", context)


def _calendar_problems(plan) -> list[str]:
    """The calendar's objections (engineer B's service), when that module is present."""
    try:
        from kehou.terms.services import plan_calendar_problems
    except ImportError:
        return []
    try:
        return list(plan_calendar_problems(plan))
    except Exception:  # noqa: BLE001 — a calendar hiccup must not break the plan page
        return []


@login_required
def plan_edit(request, plan_pk: int):
    plan = selectors.access_plan_for_edit(request.user, plan_pk)
    plan = selectors.plan_with_parts(plan)
    if not plan.is_editable:
        # A published plan is never edited in place: offer a new version instead.
        return render(request, "policy/plan_locked.html", {"plan": plan})
    editor = PlanEditor(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and editor.is_valid():
        try:
            services.plan_update(plan=plan, actor=request.user, data=editor.plan_input())
        except ValidationError as error:
            editor.errors = _messages_of(error)
        else:
            messages.success(request, _("The draft is saved."))
            if "save_and_check" in request.POST:
                return redirect("policy:check", plan_pk=plan.pk)
            return redirect("policy:detail", plan_pk=plan.pk)
    return render(request, "policy/plan_edit.html", {"plan": plan, "editor": editor})


@login_required
@require_POST
def plan_publish(request, plan_pk: int):
    plan = selectors.access_plan_for_edit(request.user, plan_pk)
    try:
        services.plan_publish(plan=plan, actor=request.user)
    except ValidationError as error:
        for text in _messages_of(error):
            messages.error(request, text)
    else:
        messages.success(request, _("Version %(v)s is published.") % {"v": plan.version})
    return redirect("policy:detail", plan_pk=plan.pk)


@login_required
def plan_compliance(request, plan_pk: int):
    plan = selectors.plan_with_parts(selectors.access_plan(request.user, plan_pk))
    profile = selectors.profile_for_school(plan.school)
    shortfalls, gaps = [], []
    if profile is not None:
        rules = selectors.profile_rules(profile)
        shortfalls = selectors.plan_check(plan=plan, profile=profile)
        gaps = profile_gaps(rules)
    rows = [(s, RULE_ZH[s.rule]) for s in shortfalls]
    return render(
        request,
        "policy/plan_check.html",
        {
            "plan": plan,
            "profile": profile,
            "failing": [r for r in rows if not r[0].unknown],
            "unknown": [r for r in rows if r[0].unknown],
            "gaps": gaps,
            "may_manage": access.may_manage_school(request.user, plan.school),
        },
    )


@login_required
def leadership_edit(request, school_pk: int):
    school = selectors.access_school_for_plan_edit(request.user, school_pk)
    members = LeadershipMember.objects.filter(school=school).order_by("order", "id")
    errors: list[str] = []
    if request.method == "POST":
        formset = LeaderFormSet(request.POST, prefix="leaders")
        if formset.is_valid():
            rows = [
                f.cleaned_data
                for f in formset.forms
                if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                services.leadership_replace(
                    school=school,
                    actor=request.user,
                    members=[
                        services.LeaderInput(r["name"], r["post"], r["group_role"]) for r in rows
                    ],
                )
            except ValidationError as error:
                errors = _messages_of(error)
            else:
                messages.success(request, _("The leading group is saved."))
                target = request.GET.get("next", "")
                if target and url_has_allowed_host_and_scheme(
                    target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(target)
                return redirect("policy:school_plans", school_pk=school.pk)
    else:
        formset = LeaderFormSet(
            prefix="leaders",
            initial=[{"name": m.name, "post": m.post, "group_role": m.group_role} for m in members],
        )
    return render(
        request,
        "policy/leadership_edit.html",
        {"school": school, "formset": formset, "errors": errors},
    )


@login_required
def compliance_table(request):
    user = request.user
    if not (user.is_superuser or user.role == User.Role.BUREAU):
        raise Http404
    terms = list(all_terms())
    counties = list(selectors.counties_for(user))
    form = TableFilterForm(request.GET or None, terms=terms, counties=counties)
    filters = form.cleaned_data if form.is_valid() else {}
    term = next((t for t in terms if t.code == filters.get("term")), None)
    if term is None:
        term = current_term()
        if term is not None and not form.is_bound:
            form = TableFilterForm(initial={"term": term.code}, terms=terms, counties=counties)
    table = selectors.compliance_table_for(
        user, term=term, county=filters.get("county") or "", rule=filters.get("rule") or ""
    )
    rows = [
        {"row": row, "items": [(s, RULE_ZH[s.rule]) for s in row.shortfalls]} for row in table.rows
    ]
    return render(
        request,
        "policy/table.html",
        {
            "form": form,
            "table": table,
            "rows": rows,
            "rule_counts": [(RULE_ZH[r], r, n) for r, n in _rule_items(table.rule_counts)],
            "own_profile": selectors.profile_for_region(user.region) if user.region_id else None,
        },
    )


def _rule_items(counts: dict):
    from kehou.policy_rules import RuleId

    return [(RuleId(key), n) for key, n in counts.items()]


@login_required
def profile_list(request):
    user = request.user
    profiles = selectors.profiles_for(user)
    if not profiles.exists() and not selectors.may_adopt_profile(user):
        raise Http404
    own = None
    if user.role == User.Role.BUREAU and user.region_id:
        own = PolicyProfile.objects.filter(region_id=user.region_id).first()
    applying = None
    if user.region_id:
        applying = selectors.profile_for_region(user.region)
    elif user.school_id:
        applying = selectors.profile_for_school(user.school)
    return render(
        request,
        "policy/profile_list.html",
        {
            "profiles": profiles.filter(region__isnull=False).order_by("region__path"),
            "templates": selectors.templates_list(),
            "own": own,
            "applying": applying,
            "adopt_form": AdoptForm(templates=selectors.templates_list())
            if selectors.may_adopt_profile(user) and user.region_id
            else None,
        },
    )


def _rules_view(profile: PolicyProfile):
    """(rule name, value shown, citation) for each rule the profile states."""
    from kehou.policy_rules.serialise import RULE_FIELDS

    rules = selectors.profile_rules(profile)
    shown = []
    for name in RULE_FIELDS:
        rule = getattr(rules, name)
        if rule is not None:
            shown.append((RULE_LABELS.get(name, name), _value_text(name, rule.value), rule.cite))
    return rules, shown


RULE_LABELS = {
    "service_days_per_week": "每周服务天数(周一至周五)",
    "weekend_days_per_week": "双休日服务天数(5+2+1)",
    "min_minutes_per_day": "每天最少服务时长",
    "off_work_time": "结束时间不早于当地下班时间",
    "extended_care_required": "应提供延时托管服务",
    "evening_study_max_minutes": "初中晚自习最长时长",
    "evening_study_latest_end": "初中晚自习最晚结束时间",
    "vacation_weeks_winter": "寒假开放周数",
    "vacation_weeks_summer": "暑假开放周数",
    "content_models": "服务内容模式",
    "urban_target": "城区“2+3”学校占比目标",
    "pay_floor_per_class_hour": "教师课时报酬下限",
    "fee_standard": "收费标准",
    "grade12_no_written_homework": "一二年级不留书面作业",
    "junior_homework_at_school_min_percent": "初中校内完成书面作业最低比例",
}


def _value_text(name: str, value) -> str:
    if value is None:
        return "未录入(由教育局录入)"
    if name in {"min_minutes_per_day", "evening_study_max_minutes"}:
        return f"{value}分钟"
    if name in {"service_days_per_week", "weekend_days_per_week"}:
        return f"{value}天"
    if name.startswith("vacation_weeks"):
        return f"{value}周"
    if name in {"off_work_time", "evening_study_latest_end"}:
        return value.strftime("%H:%M")
    if name == "pay_floor_per_class_hour":
        return f"{value.normalize():f}元/课时"
    if name == "fee_standard":
        ceiling = value.max_yuan_per_term
        return "尚无收费标准,不得收费" if ceiling is None else f"每生每学期不超过{ceiling}元"
    if name == "junior_homework_at_school_min_percent":
        return f"至少{value}%"
    if name == "content_models":
        return "或".join(_model_text(m) for m in value)
    if name == "urban_target":
        return f"城区{value.share_percent}%以上学校实现{_model_text(value.model)}"
    if value is True:
        return "是"
    return str(value)


def _model_text(model) -> str:
    parts = []
    if model.basic:
        parts.append("基本服务:" + "、".join(category_label(c) for c in sorted(model.basic)))
    if model.min_extended:
        parts.append(f"至少{model.min_extended}项拓展服务")
    if model.homework_minutes:
        parts.append(f"作业辅导每天{model.homework_minutes}分钟")
    if model.club_days:
        parts.append(f"每周社团活动{model.club_days[0]}-{model.club_days[1]}天")
    return f"“{model.name}”(" + ";".join(parts) + ")"


@login_required
def profile_detail(request, profile_pk: int):
    profile = selectors.access_profile(request.user, profile_pk)
    rules, shown = _rules_view(profile)
    return render(
        request,
        "policy/profile_detail.html",
        {
            "profile": profile,
            "rules": shown,
            "notes": rules.notes,
            "gaps": profile_gaps(rules),
            "history": selectors.profile_history(profile),
            "may_edit": selectors.may_edit_profile(request.user, profile),
        },
    )


@login_required
def profile_edit(request, profile_pk: int):
    profile = selectors.access_profile_for_edit(request.user, profile_pk)
    errors: list[str] = []
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(
                    profile=profile,
                    actor=request.user,
                    values=form.values(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                errors = _messages_of(error)
            else:
                messages.success(request, _("The policy profile is saved as a new version."))
                return redirect("policy:profile", profile_pk=profile.pk)
    else:
        values = services.profile_values_of(selectors.profile_rules(profile))
        form = ProfileForm(initial=vars(values))
    return render(
        request,
        "policy/profile_edit.html",
        {"profile": profile, "form": form, "errors": errors},
    )


@login_required
@require_POST
def profile_adopt(request):
    region = selectors.access_region_for_adopt(request.user)
    form = AdoptForm(request.POST, templates=selectors.templates_list())
    if not form.is_valid():
        messages.error(request, _("Choose a template."))
        return redirect("policy:profiles")
    try:
        profile = services.profile_adopt(
            template_key=form.cleaned_data["template"], region=region, actor=request.user
        )
    except ValidationError as error:
        for text in _messages_of(error):
            messages.error(request, text)
        return redirect("policy:profiles")
    messages.success(request, _("The template is adopted for %(region)s.") % {"region": region})
    return redirect("policy:profile", profile_pk=profile.pk)

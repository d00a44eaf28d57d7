"""Pages for the school plan, its compliance and the locality profile (SPEC R4, R5, R6).

Thin: parse with kehou.policy.forms, read with kehou.policy.selectors (which scope through
kehou.org.access), write with kehou.policy.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehou.accounts.models import User
from kehou.core import errors
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
from kehou.policy.rule_labels import (
    PLAN_RULE_FIELDS,
    profile_gap_notes,
    profile_rule_rows,
    rule_name,
    shortfall_line,
)
from kehou.policy_rules import RuleId
from kehou.policy_rules.serialise import MENU_RULE_FIELDS, RULE_FIELDS, UNCHECKED_RULE_FIELDS
from kehou.terms.models import Term
from kehou.terms.selectors import current_term, term_for_page
from kehou.terms.selectors import terms as all_terms


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
    """A school's plans for one term (`?term=`, the current term without one), with a
    switcher to the others."""
    school = selectors.access_school_for_plans(request.user, school_pk)
    shown = term_for_page(request.GET.get("term"))
    entries = []
    if shown is not None:
        versions = list(selectors.plan_versions(school, shown))
        current = selectors.current_plan(school=school, term=shown)
        draft = next((p for p in versions if p.status == "draft"), None)
        entries.append({"term": shown, "versions": versions, "current": current, "draft": draft})
    return render(
        request,
        "policy/school_plans.html",
        {
            "school": school,
            "entries": entries,
            "terms": list(all_terms()),
            "term": shown,
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
    if request.GET.get("term"):  # the term switcher: this school's plans of that term
        other = term_for_page(request.GET["term"])
        url = reverse("policy:school_plans", args=[plan.school.pk])
        return redirect(f"{url}?term={other.code}")
    context = _plan_context(plan)
    context.update(
        {
            "terms": list(all_terms()),
            "term": plan.term,
            "may_manage": access.may_manage_school(request.user, plan.school),
            "versions": selectors.plan_versions(plan.school, plan.term),
            "leadership": plan.school.leadership.all(),
        }
    )
    return render(request, "policy/plan_detail.html", context)


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
            editor.errors = errors.messages(error)
        else:
            messages.success(request, _("The draft is saved."))
            if "save_and_check" in request.POST:
                return redirect("policy:check", plan_pk=plan.pk)
            return redirect("policy:detail", plan_pk=plan.pk)
    return render(request, "policy/plan_edit.html", {"plan": plan, "editor": editor})


@login_required
@require_POST
def plan_publish(request, plan_pk: int):
    """Publish; a plan with shortfalls first shows them and asks to confirm (the
    service refuses `confirmation_required` until the post carries confirmed=1)."""
    plan = selectors.access_plan_for_edit(request.user, plan_pk)
    try:
        services.plan_publish(
            plan=plan, actor=request.user, confirmed=request.POST.get("confirmed") == "1"
        )
    except ValidationError as error:
        if "confirmation_required" in errors.codes(error):
            return _confirm_publish(request, plan)
        for text in errors.messages(error):
            messages.error(request, text)
    else:
        plan.refresh_from_db()
        if plan.published_shortfalls:
            messages.warning(
                request,
                ngettext(
                    "Version %(v)s is published with %(n)d shortfall.",
                    "Version %(v)s is published with %(n)d shortfalls.",
                    len(plan.published_shortfalls),
                )
                % {"v": plan.version, "n": len(plan.published_shortfalls)},
            )
        else:
            messages.success(request, _("Version %(v)s is published.") % {"v": plan.version})
    return redirect("policy:detail", plan_pk=plan.pk)


def _confirm_publish(request, plan):
    plan = selectors.plan_with_parts(plan)
    shortfalls = selectors.plan_check(plan=plan)
    n = len(shortfalls)
    consequences = [
        ngettext(
            "The plan falls short of its policy profile in %(n)d point; it will be "
            "published with it, and the plan page and the bureau will show it:",
            "The plan falls short of its policy profile in %(n)d points; it will be "
            "published with them, and the plan page and the bureau will show them:",
            n,
        )
        % {"n": n},
        *(shortfall_line(s) for s in shortfalls),
    ]
    confirm = {
        "title": _("Publish version %(v)s with its shortfalls?") % {"v": plan.version},
        "consequences": consequences,
        "action": reverse("policy:publish", args=[plan.pk]),
        "fields": [],
        "button": _("Publish anyway"),
        "cancel": reverse("policy:check", args=[plan.pk]),
    }
    context = _plan_context(plan)
    context.update({"confirm": confirm})
    return render(request, "policy/plan_publish_confirm.html", context)


@login_required
def plan_compliance(request, plan_pk: int):
    plan = selectors.plan_with_parts(selectors.access_plan(request.user, plan_pk))
    profile = selectors.profile_for_school(plan.school)
    shortfalls, gaps, unstated = [], [], 0
    if profile is not None:
        rules = selectors.profile_rules(profile)
        shortfalls = selectors.plan_check(plan=plan, profile=profile)
        gaps = profile_gap_notes(rules)
        unstated = sum(
            1
            for name in RULE_FIELDS
            if name not in UNCHECKED_RULE_FIELDS and getattr(rules, name) is None
        )
    rows = [(s, rule_name(s.rule)) for s in shortfalls]
    return render(
        request,
        "policy/plan_check.html",
        {
            "plan": plan,
            "profile": profile,
            "failing": [r for r in rows if not r[0].unknown],
            "unknown": [r for r in rows if r[0].unknown],
            "gaps": gaps,
            "unstated": unstated,
            "may_manage": access.may_manage_school(request.user, plan.school),
        },
    )


@login_required
def leadership_edit(request, school_pk: int):
    school = selectors.access_school_for_plan_edit(request.user, school_pk)
    members = LeadershipMember.objects.filter(school=school).order_by("order", "id")
    problems: list[str] = []
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
                problems = errors.messages(error)
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
        {"school": school, "formset": formset, "errors": problems},
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
        {"row": row, "items": [(s, rule_name(s.rule)) for s in row.shortfalls]}
        for row in table.rows
    ]
    return render(
        request,
        "policy/table.html",
        {
            "form": form,
            "table": table,
            "rows": rows,
            "rule_counts": [(rule_name(r), r, n) for r, n in _rule_items(table.rule_counts)],
            "own_profile": selectors.profile_for_region(user.region) if user.region_id else None,
        },
    )


def _rule_items(counts: dict):
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


@login_required
def profile_detail(request, profile_pk: int):
    profile = selectors.access_profile(request.user, profile_pk)
    rules = selectors.profile_rules(profile)
    return render(
        request,
        "policy/profile_detail.html",
        {
            "profile": profile,
            "plan_rules": profile_rule_rows(rules, PLAN_RULE_FIELDS),
            "menu_rules": profile_rule_rows(rules, MENU_RULE_FIELDS),
            "other_rules": profile_rule_rows(rules, UNCHECKED_RULE_FIELDS),
            "notes": rules.notes,
            "gaps": profile_gap_notes(rules),
            "history": selectors.profile_history(profile),
            "may_edit": selectors.may_edit_profile(request.user, profile),
        },
    )


@login_required
def profile_edit(request, profile_pk: int):
    profile = selectors.access_profile_for_edit(request.user, profile_pk)
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
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("The policy profile is saved as a new version."))
                return redirect("policy:profile", profile_pk=profile.pk)
    else:
        values = services.profile_values_of(selectors.profile_rules(profile))
        form = ProfileForm(initial=vars(values))
    return render(request, "policy/profile_edit.html", {"profile": profile, "form": form})


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
        for text in errors.messages(error):
            messages.error(request, text)
        return redirect("policy:profiles")
    messages.success(request, _("The template is adopted for %(region)s.") % {"region": region})
    return redirect("policy:profile", profile_pk=profile.pk)

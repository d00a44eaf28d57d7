"""Django admin for superusers. Staff pages are for schools; this is the back office."""

from django.contrib import admin

from kehou.org import models as m


@admin.register(m.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


class LeadershipInline(admin.TabularInline):
    model = m.LeadershipMember
    extra = 0


@admin.register(m.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "school_type", "ownership", "is_urban", "is_boarding")
    list_filter = ("school_type", "ownership", "is_urban", "is_boarding", "region")
    search_fields = ("code", "name")
    autocomplete_fields = ("region", "central_school")
    inlines = [LeadershipInline]


@admin.register(m.SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ("start_year",)


@admin.register(m.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("__str__", "school", "school_year", "grade", "number", "head_teacher")
    list_filter = ("school_year", "grade")
    search_fields = ("school__name", "school__code")
    list_select_related = ("school", "school_year", "head_teacher")
    autocomplete_fields = ("school", "head_teacher")


class MembershipInline(admin.TabularInline):
    model = m.ClassMembership
    extra = 0
    autocomplete_fields = ("school_class",)


class StudentGuardianInline(admin.TabularInline):
    model = m.StudentGuardian
    extra = 0
    autocomplete_fields = ("guardian",)


class CollectorInline(admin.TabularInline):
    model = m.AuthorisedCollector
    extra = 0


@admin.register(m.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("student_number", "name", "school", "gender", "is_boarder", "is_active")
    list_filter = ("is_active", "is_boarder", "gender")
    search_fields = ("student_number", "name", "school__name")
    list_select_related = ("school",)
    autocomplete_fields = ("school",)
    inlines = [MembershipInline, StudentGuardianInline, CollectorInline]


@admin.register(m.Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "user")
    search_fields = ("name", "phone")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(m.ExternalOrganisation)
class ExternalOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "status", "licence_valid_until")
    list_filter = ("status", "has_violation_record")
    search_fields = ("name", "credit_code")
    autocomplete_fields = ("region",)
    # Vetting happens in the pages (kehou.org.services.organisation_vet): reason, date, audit.
    readonly_fields = ("status", "status_on", "status_reason")


@admin.register(m.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "school",
        "kind",
        "external_kind",
        "background_check_result",
        "is_active",
    )
    list_filter = ("kind", "external_kind", "background_check_result", "is_active")
    search_fields = ("name", "phone", "school__name")
    list_select_related = ("school",)
    autocomplete_fields = ("school", "organisation")
    raw_id_fields = ("user",)

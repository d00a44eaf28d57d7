"""Reads of payments and ledgers (R18), scoped through kehou.org.access; `access_*` raise
Http404 outside the scope. A GET never writes.

Who sees what:
- the school's admin (and a superuser): the school's ledger, every child's ledger, its
  statements and their rows;
- a guardian: their own children's bills, payments, refunds and balance (the family's
  money page); any other child is a 404;
- teachers, gate staff, bureau officers: nothing here. A child's ledger shows a waiver's
  basis (建档立卡/低保), a priority fact only the school's admin sees in the school.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from kehou.accounts.models import User
from kehou.billing.models import Refund
from kehou.org import access
from kehou.org.models import School, Student
from kehou.payments import ledger
from kehou.payments.models import Payment, Payout, Statement, StatementRow


def access_school_money(user: User, school_pk: int) -> School:
    school = access.access_school(user, school_pk)
    if not access.may_manage_school(user, school):
        raise Http404
    return school


def access_child(user: User, student_pk: int) -> Student:
    """A child whose ledger the school's admin reads."""
    student = access.access_student(user, student_pk)
    if not access.may_manage_school(user, student.school):
        raise Http404
    return student


def access_payment(user: User, pk: int) -> Payment:
    payment = Payment.objects.select_related("school", "student").filter(pk=pk).first()
    if payment is None or not access.may_manage_school(user, payment.school):
        raise Http404
    return payment


def access_payout(user: User, pk: int) -> Payout:
    payout = Payout.objects.select_related("school", "student").filter(pk=pk).first()
    if payout is None or not access.may_manage_school(user, payout.school):
        raise Http404
    return payout


def access_refund(user: User, pk: int) -> Refund:
    refund = Refund.objects.select_related("student__school", "bill").filter(pk=pk).first()
    if refund is None or not access.may_manage_school(user, refund.student.school):
        raise Http404
    return refund


def access_statement(user: User, pk: int) -> Statement:
    statement = Statement.objects.select_related("school").filter(pk=pk).first()
    if statement is None or not access.may_manage_school(user, statement.school):
        raise Http404
    return statement


def access_row(user: User, pk: int) -> StatementRow:
    row = StatementRow.objects.select_related("statement__school").filter(pk=pk).first()
    if row is None or not access.may_manage_school(user, row.statement.school):
        raise Http404
    return row


def statements(school: School):
    return Statement.objects.filter(school=school).select_related("uploaded_by")


def statement_rows(statement: Statement):
    return statement.rows.select_related("student", "payment").order_by("row_number")


def school_student_by_number(school: School, number: str) -> Student | None:
    number = (number or "").strip()
    if not number:
        return None
    return Student.objects.filter(school=school, student_number__iexact=number).first()


# --------------------------------------------------------------------------- the family's


def is_guardian(user) -> bool:
    return user.is_authenticated and user.role == User.Role.GUARDIAN


@dataclass
class FamilyChild:
    student: Student
    ledger: ledger.ChildLedger


def family_children(user: User) -> list[FamilyChild]:
    """The guardian's own children, each with their ledger (404 for anyone else)."""
    if not is_guardian(user):
        raise Http404
    children = access.students_for(user).select_related("school").order_by("name", "pk")
    return [FamilyChild(child, ledger.child_ledger(child)) for child in children]


def access_family_child(user: User, student_pk: int) -> FamilyChild:
    """One of the guardian's own children, with the ledger; 404 for any other child."""
    if not is_guardian(user):
        raise Http404
    student = access.access_student(user, student_pk)
    if access.guardian_record(user, student) is None:
        raise Http404
    return FamilyChild(student, ledger.child_ledger(student))

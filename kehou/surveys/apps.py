from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "kehou.surveys"
    verbose_name = _("Surveys and letters to parents")

    def ready(self) -> None:
        # A survey and its questions keep their history; answers are written once and
        # never changed, so they are not logged row by row.
        from auditlog.registry import auditlog

        from kehou.surveys import models as m

        for model in (m.Survey, m.Question, m.SurveySchool):
            if not auditlog.contains(model):
                auditlog.register(model)

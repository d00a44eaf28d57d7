"""What a school calls each policy text kehou ships a profile for: the document's own title
(the seed files of SPEC R4), never the file's number or id. Every page, message and note
names a document through `document_name`."""

from __future__ import annotations

from .model import Citation

DOCUMENT_TITLES = {
    "000": "《关于全面推进中小学课后服务进一步提升课后服务水平的实施方案》",
    "001": "《长治市教育局关于进一步推进义务教育阶段公办学校课后服务工作的实施方案》",
    "002": "《音德尔第二小学延时服务工作实施方案》",
    "003": "《安溪县2022年整治城区中小学课后服务质效不高问题满足学生和家长多样化需求工作方案》",
    "004": "《滨州中小学课后服务工作走在全省前列》（齐鲁网）",
}


def document_title(seed: str) -> str | None:
    """The title of the policy text `seed` ("000" or its file id "000_9a9d…"), or None for
    anything that is not one of them (a bureau's own entry)."""
    number, _sep, _rest = (seed or "").partition("_")
    return DOCUMENT_TITLES.get(number)


def document_name(cite: Citation) -> str:
    """The name a school knows the rule's document by: the policy text's title, or for a
    value the bureau entered, the bureau's entry ("滨城区教育局录入(第2版)")."""
    return document_title(cite.seed) or cite.where or cite.seed

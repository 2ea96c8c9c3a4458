"""The results of surveys, helpful votes and messages as the API answers them
(docs/SURVEYS.md, section 6)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.analytics import DAY, ReportFilters, ReportQuery


class RecentReportQuery(ReportQuery):
    """As ``ReportQuery``; ``start`` and ``end`` may be left out: the last 30 days."""

    start = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "First local day of the range (default: 29 days before end)."})
    end = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "Last local day of the range, included (default: today in the "
                       "workspace's timezone)."})


class ResponsesQuery(RecentReportQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "`csv`: a CSV file instead of JSON."})


class SurveyResponsesOut(Schema):
    columns = fields.List(fields.String(), required=True)
    rows = fields.List(fields.List(fields.Raw()), required=True, metadata={
        "description": "One list per answer, in the order of columns."})


class SurveyQuestion(Schema):
    id = fields.String(required=True)
    type = fields.String(required=True)
    answers = fields.Integer(required=True, metadata={"description": "Responses that answered "
                                                                     "it."})
    promoters = fields.Integer(metadata={"description": "nps: scores 9-10."})
    passives = fields.Integer(metadata={"description": "nps: scores 7-8."})
    detractors = fields.Integer(metadata={"description": "nps: scores 0-6."})
    nps = fields.Float(allow_none=True, metadata={
        "description": "nps: % promoters - % detractors, one decimal; null without answers."})
    average = fields.Float(allow_none=True, metadata={"description": "csat, rating: two "
                                                                     "decimals."})
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "csat, rating: answers per score."})
    choices = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "single, multiple: answers per option id."})


class Comment(Schema):
    user = fields.String(required=True)
    account = fields.String(allow_none=True)
    question = fields.String(allow_none=True, metadata={"description": "null: the free "
                                                                       "comment."})
    helpful = fields.Boolean(metadata={"description": "Helpful votes: the vote."})
    text = fields.String(required=True)
    at = fields.String(required=True)


class SurveyReport(Schema):
    survey = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    shown = fields.Integer(required=True, metadata={"description": "Users shown it."})
    responses = fields.Integer(required=True)
    respondents = fields.Integer(required=True, metadata={"description": "Users who answered."})
    response_rate = fields.Float(required=True, allow_none=True, metadata={
        "description": "Of the users shown it in the range, the share who answered it in the "
                       "range; null when nobody was shown it."})
    questions = fields.List(fields.Nested(SurveyQuestion), required=True)
    comments = fields.List(fields.Nested(Comment), required=True, metadata={
        "description": "Text answers and comments, newest first, at most 500."})
    filters = fields.Nested(ReportFilters)


class HelpfulItem(Schema):
    article = fields.String()
    step = fields.String(metadata={"description": "guide/step"})
    yes = fields.Integer(required=True)
    no = fields.Integer(required=True)
    share = fields.Float(required=True, metadata={"description": "yes / (yes + no)."})
    comments = fields.List(fields.Nested(Comment), required=True)


class HelpfulReport(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    articles = fields.List(fields.Nested(HelpfulItem), required=True)
    steps = fields.List(fields.Nested(HelpfulItem), required=True)
    filters = fields.Nested(ReportFilters)


class MessageStep(Schema):
    id = fields.String(required=True)
    seen = fields.Integer()
    clicked = fields.Integer()


class MessageReport(Schema):
    key = fields.String(required=True)
    kind = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    seen = fields.Integer(required=True, allow_none=True)
    clicked = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Announcements: the call to action; hotspots: a beacon opened."})
    dismissed = fields.Integer(required=True, allow_none=True)
    steps = fields.List(fields.Nested(MessageStep), required=True)
    filters = fields.Nested(ReportFilters)

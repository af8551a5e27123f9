"""The admin's change lists, shared by every app's ModelAdmin (`get_changelist`)."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList as DjangoChangeList


class ChangeList(DjangoChangeList):
    """Django's change list, answering a date drill-down out of any calendar
    (`?published_at__year=99999999999`, `?date__year=9999`) like every other bad filter:
    the list again with an error flag, not a server error. Django reads the year with int()
    and builds datetimes from it, which raises OverflowError or ValueError past year 9999."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

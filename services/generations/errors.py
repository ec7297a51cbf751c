"""The requests the generation service refuses: raised by the services, mapped to HTTP once in api/errors.py."""


class GenerationError(Exception):
    """A request the service refuses; `message` is safe to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidPreferences(GenerationError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f'{field}: {reason}')
        self.field, self.reason = field, reason


class ServiceBusy(GenerationError):
    """The database is locked or unwritable for now; nothing was lost and a retry will work."""

    def __init__(self) -> None:
        super().__init__('The service is busy right now; please try again in a few seconds.')


class RateLimited(GenerationError):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f'Too many plans started from here; try again in {max(1, retry_after_s // 60)} minutes.')
        self.retry_after_s = retry_after_s


class GenerationNotFound(GenerationError):
    """Unknown, malformed or expired id."""

    def __init__(self) -> None:
        super().__init__('Generation not found')


class NotOwner(GenerationError):
    """Cancelling or keeping needs the owner token the plan was started with (a shared link only reads)."""

    def __init__(self, action: str = 'cancel') -> None:
        super().__init__(f'Only the browser that started this plan can {action} it.')


class ParentNotCompleted(GenerationError):
    """Only a completed plan can be refined."""

    def __init__(self, status: str) -> None:
        super().__init__(f'This plan is {status}; only a completed plan can be changed.')
        self.status = status

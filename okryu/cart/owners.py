"""Who a basket belongs to: a signed-in user, or a browser session before sign-in."""

from dataclasses import dataclass

from django.db.models import Q

SESSION_KEY_LENGTH_MAX = 40


@dataclass(frozen=True)
class BasketOwner:
    """Exactly one of a user id or a session key."""

    user_id: int | None = None
    session_key: str | None = None

    def __post_init__(self) -> None:
        assert (self.user_id is None) != (self.session_key is None), (
            "a basket owner is a user or a session, not both and not neither"
        )
        assert self.session_key is None or (
            0 < len(self.session_key) <= SESSION_KEY_LENGTH_MAX
        )

    @classmethod
    def for_user(cls, user_id: int) -> "BasketOwner":
        """Return the owner that is the signed-in user ``user_id``."""
        return cls(user_id=user_id)

    @classmethod
    def for_session(cls, session_key: str) -> "BasketOwner":
        """Return the owner that is the anonymous browser session ``session_key``."""
        return cls(session_key=session_key)

    @property
    def label(self) -> str:
        """Return a short stable name of the owner (``u12`` or ``s`` + session key)."""
        return (
            f"u{self.user_id}" if self.user_id is not None else f"s{self.session_key}"
        )

    def basket_filter(self, prefix: str = "") -> Q:
        """Return the condition selecting this owner's basket (``prefix`` for a relation)."""
        if self.user_id is not None:
            return Q(**{f"{prefix}user_id": self.user_id})
        return Q(**{f"{prefix}session_key": self.session_key})

"""`retrorun user` and `retrorun coach`: accounts, and the links athletes give coaches.

The CLI is the local owner of its database: it adds users and acts as any of them with `--as`.
A coach invites (`retrorun --as coach@example.org coach invite`), the athlete accepts with the
code (`retrorun coach accept CODE`, or `--as athlete@example.org`), and either side ends it.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from retrorun.cli.context import actor_for, now, ready_app
from retrorun.cli.output import console, new_table, print_json
from retrorun.errors import InvalidInput

user_app = typer.Typer(
    help="Users of this database: athletes, coaches and admins.", rich_markup_mode=None
)
coach_app = typer.Typer(
    help="Coach links: invite, accept, list and end them.", rich_markup_mode=None
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(coach_app, name="coach")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Their email address (their sign-in name).")],
    role: Annotated[str, typer.Option(help="athlete, coach or admin.")] = "athlete",
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a user; the password is asked for (hidden) or read from standard input."""
    from retrorun.services import accounts
    from retrorun.services.access import Role

    try:
        chosen = Role(role)
    except ValueError:
        raise InvalidInput(f"role must be athlete, coach or admin, got {role!r}") from None
    password = _password(password_stdin)
    user = accounts.add_user(ready_app(ctx), actor_for(ctx), email, password, chosen)
    if as_json:
        from retrorun.services.schemas import user_json

        print_json(user_json(user))
        return
    console.print(f"Added {user.role.value} {user.email} (user {user.id}).", highlight=False)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for the password; use --password-stdin")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the users of this database."""
    from retrorun.services import accounts

    found = accounts.users(ready_app(ctx), actor_for(ctx))
    if as_json:
        from retrorun.services.schemas import users_json

        print_json(users_json(found))
        return
    table = new_table("id", "email", "role", "since")
    for user in found:
        table.add_row(str(user.id), user.email, user.role.value, user.created_at.date().isoformat())
    console.print(table)


@user_app.command("reset-link")
def user_reset_link(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user who forgot their password.")],
    base_url: Annotated[
        str, typer.Option(help="Where the web app is reached.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print a one-time password reset link (valid for an hour) to hand to the user."""
    from retrorun.services import tokens

    token = tokens.reset_token(ready_app(ctx), actor_for(ctx), email, now())
    typer.echo(f"{base_url.rstrip('/')}/reset/{token}")
    console.print(
        f"Valid for {tokens.RESET_MINUTES} minutes, once. Give it to {email} only.",
        highlight=False,
    )


@coach_app.command("invite")
def coach_invite(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """As a coach: make an invitation code for an athlete to accept (shown once)."""
    from retrorun.services import accounts

    app = ready_app(ctx)
    invitation = accounts.invite(app.scope(actor_for(ctx)), now())
    if as_json:
        from retrorun.services.schemas import invitation_json

        print_json(invitation_json(invitation))
        return
    console.print(
        f"Invitation code: {invitation.code}\n"
        f"Valid until {invitation.expires_at.date().isoformat()}. The athlete accepts it with: "
        f"retrorun coach accept {invitation.code}",
        highlight=False,
    )


@coach_app.command("accept")
def coach_accept(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The code your coach gave you.")],
    as_json: JsonOption = False,
) -> None:
    """As an athlete: let the coach who made this code read your data and change your plan."""
    from retrorun.services import accounts

    app = ready_app(ctx)
    link = accounts.accept(app.scope(actor_for(ctx)), code, now())
    if as_json:
        from retrorun.services.schemas import link_json

        print_json(link_json(link))
        return
    console.print(
        f"{link.coach_email} can now see your data and change your plan (link {link.id}). "
        f"End it any time: retrorun coach end {link.id}",
        highlight=False,
    )


@coach_app.command("list")
def coach_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Your coach links: an athlete's coaches, or a coach's athletes and open invitations."""
    from retrorun.services import accounts

    found = accounts.links(ready_app(ctx).scope(actor_for(ctx)))
    if as_json:
        from retrorun.services.schemas import links_json

        print_json(links_json(found))
        return
    table = new_table("id", "coach", "athlete", "status", "since", "ended")
    for link in found:
        since = link.accepted_at or link.created_at
        ended = f"{link.ended_at.date().isoformat()} by {link.ended_by}" if link.ended_at else ""
        table.add_row(
            str(link.id),
            link.coach_email,
            link.athlete_name or "-",
            link.status,
            since.date().isoformat(),
            ended,
        )
    console.print(table)


@coach_app.command("end")
def coach_end(
    ctx: typer.Context,
    link_id: Annotated[int, typer.Argument(help="The link's id (see retrorun coach list).")],
    as_json: JsonOption = False,
) -> None:
    """End a coach link (either side may); the coach loses access at once."""
    from retrorun.services import accounts

    link = accounts.end_link(ready_app(ctx).scope(actor_for(ctx)), link_id, now())
    if as_json:
        from retrorun.services.schemas import link_json

        print_json(link_json(link))
        return
    console.print(f"Link {link.id} ended: {link.coach_email} no longer sees this data.")

//! Who may do what: every permission rule of the content and its users, in one place.
//!
//! Pure: no HTTP, no SQL. The API asks before a write when the request alone decides;
//! the store asks again inside the write's transaction, against the current row, so
//! the answer cannot go stale between the check and the write.

use crate::auth::Role;
use crate::content::status::ArticleStatus;

/// Who acts: a signed-in user and their role as read on this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub role: Role,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The actor may not even know the thing exists: answered as if it did not.
    #[error("not found")]
    Hidden,
    /// The actor sees the thing but may not do this to it.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nobody may do this to their own account: it would lock them (or everyone) out.
    #[error("{0}")]
    OwnAccount(&'static str),
}

/// Which articles someone may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Live articles only: published, and their moment has come.
    Public,
    /// Those, and every article of this author.
    Author(i64),
    /// Everything (editors and admins).
    All,
}

impl Visibility {
    /// What `actor` may read; `None` is the public.
    pub fn of(actor: Option<&Actor>) -> Self {
        match actor {
            None => Self::Public,
            Some(actor) if actor.role.manages_content() => Self::All,
            Some(actor) => Self::Author(actor.id),
        }
    }

    /// Whether an article of `author_id` with this status (as of now) is readable.
    pub fn allows(self, article: &ArticleFacts) -> bool {
        match self {
            Self::All => true,
            Self::Author(id) if id == article.author_id => true,
            _ => article.status.is_live(),
        }
    }
}

/// What the rules need to know of an article as it now stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleFacts {
    pub author_id: i64,
    /// The status as of now: `scheduled` until the publication moment passes.
    pub status: ArticleStatus,
}

/// Editors and admins only: sections, tags, publishing, everyone's articles.
pub fn may_manage_content(actor: &Actor) -> Result<(), Denied> {
    if actor.role.manages_content() {
        Ok(())
    } else {
        Err(Denied::Forbidden("this needs the editor or admin role"))
    }
}

/// Admins only: users and the audit trail.
pub fn may_administer(actor: &Actor) -> Result<(), Denied> {
    if actor.role.is_admin() {
        Ok(())
    } else {
        Err(Denied::Forbidden("this needs the admin role"))
    }
}

/// Authors write drafts only: publishing, scheduling and archiving are an editor's.
pub fn may_write_as(actor: &Actor, status: ArticleStatus) -> Result<(), Denied> {
    if !actor.role.manages_content() && status != ArticleStatus::Draft {
        return Err(Denied::Forbidden("authors write drafts only; an editor publishes"));
    }
    Ok(())
}

/// `published_at` is an editor's field, like `status`: an author may not send it at all,
/// not even as null, so a draft can neither be backdated nor scheduled ahead.
pub fn may_set_published_at(actor: &Actor, sends_it: bool) -> Result<(), Denied> {
    if !actor.role.manages_content() && sends_it {
        return Err(Denied::Forbidden("published_at is set by editors; authors leave it out"));
    }
    Ok(())
}

/// Editors create tags by naming them; authors attach existing ones only.
pub fn may_create_tags(actor: &Actor) -> bool {
    actor.role.manages_content()
}

/// Authors change (and delete) only their own drafts: once an editor has published
/// (or archived) an article, changing or unpublishing it is an editor's call too.
/// An article the actor may not read is hidden.
pub fn may_change(actor: &Actor, article: &ArticleFacts) -> Result<(), Denied> {
    if !Visibility::of(Some(actor)).allows(article) {
        return Err(Denied::Hidden);
    }
    if actor.role.manages_content() {
        return Ok(());
    }
    if article.author_id != actor.id {
        return Err(Denied::Forbidden("authors may only change their own articles"));
    }
    if article.status != ArticleStatus::Draft {
        return Err(Denied::Forbidden("this article is no longer a draft; an editor changes it now"));
    }
    Ok(())
}

/// A media item is changed (its alt text) or deleted by its uploader or an editor;
/// every signed-in user may see it.
pub fn may_change_media(actor: &Actor, uploaded_by: Option<i64>) -> Result<(), Denied> {
    if actor.role.manages_content() || uploaded_by == Some(actor.id) {
        Ok(())
    } else {
        Err(Denied::Forbidden("only its uploader or an editor may change or delete a media item"))
    }
}

/// Editors read every article's history; authors only their own articles'.
pub fn may_read_history(actor: &Actor, article: &ArticleFacts) -> Result<(), Denied> {
    if !Visibility::of(Some(actor)).allows(article) {
        return Err(Denied::Hidden);
    }
    if !actor.role.manages_content() && article.author_id != actor.id {
        return Err(Denied::Forbidden("authors read the revisions of their own articles only"));
    }
    Ok(())
}

/// A draft preview shows an article to whoever holds its token, so only someone who may
/// read the article may share (or revoke) one, and a token shows it only while its maker
/// still may: it never shows more than its maker sees. Anyone else is not told it exists.
pub fn may_share_preview(actor: &Actor, article: &ArticleFacts) -> Result<(), Denied> {
    match Visibility::of(Some(actor)).allows(article) {
        true => Ok(()),
        false => Err(Denied::Hidden),
    }
}

/// What an admin asks of a user account, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    /// A change that takes away admin rights or access: a role change away from admin, or disabling.
    Demote,
    Delete,
    /// Anything else (name, email, password, bio, promotion).
    Edit,
}

/// Admins manage accounts, but never demote, disable or delete their own: the last
/// admin could lock everyone out, and a stolen session could not be undone by its victim.
pub fn may_change_account(actor: &Actor, user_id: i64, change: AccountChange) -> Result<(), Denied> {
    may_administer(actor)?;
    match change {
        AccountChange::Demote if user_id == actor.id => {
            Err(Denied::OwnAccount("an admin cannot demote or disable themself; ask another admin"))
        }
        AccountChange::Delete if user_id == actor.id => Err(Denied::OwnAccount("an admin cannot delete themself")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDITOR: Actor = Actor { id: 1, role: Role::Editor };
    const AUTHOR: Actor = Actor { id: 2, role: Role::Author };

    fn article(author_id: i64, status: ArticleStatus) -> ArticleFacts {
        ArticleFacts { author_id, status }
    }

    #[test]
    fn authors_change_their_own_drafts_only_and_never_see_others_unpublished_work() {
        assert_eq!(may_change(&AUTHOR, &article(2, ArticleStatus::Draft)), Ok(()));
        assert!(matches!(may_change(&AUTHOR, &article(2, ArticleStatus::Published)), Err(Denied::Forbidden(_))));
        assert!(matches!(may_change(&AUTHOR, &article(3, ArticleStatus::Published)), Err(Denied::Forbidden(_))));
        assert_eq!(may_change(&AUTHOR, &article(3, ArticleStatus::Draft)), Err(Denied::Hidden));
        assert_eq!(may_change(&AUTHOR, &article(3, ArticleStatus::Scheduled)), Err(Denied::Hidden));
        assert_eq!(may_change(&EDITOR, &article(3, ArticleStatus::Scheduled)), Ok(()));
    }

    #[test]
    fn the_public_reads_live_articles_only() {
        assert!(Visibility::of(None).allows(&article(3, ArticleStatus::Published)));
        for status in [ArticleStatus::Draft, ArticleStatus::Scheduled, ArticleStatus::Archived] {
            assert!(!Visibility::of(None).allows(&article(3, status)), "{status:?}");
        }
    }

    #[test]
    fn admins_never_lock_themselves_out() {
        let admin = Actor { id: 9, role: Role::Admin };
        assert!(may_change_account(&admin, 9, AccountChange::Edit).is_ok());
        assert!(matches!(may_change_account(&admin, 9, AccountChange::Demote), Err(Denied::OwnAccount(_))));
        assert!(matches!(may_change_account(&admin, 9, AccountChange::Delete), Err(Denied::OwnAccount(_))));
        assert!(may_change_account(&admin, 4, AccountChange::Delete).is_ok());
        assert!(matches!(may_change_account(&EDITOR, 4, AccountChange::Edit), Err(Denied::Forbidden(_))));
    }
}

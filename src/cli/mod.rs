//! The `folio` command line: `serve` (the default), `migrate`, `user create`,
//! `user set-password`, `openapi`, `seed-demo`, `export` and `import`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::auth::{password, Role};
use crate::config::{LogFormat, Settings};
use crate::domain::{Email, Password};
use crate::startup::{open_database, Application};
use crate::store::{self, users};

mod archive;
mod demo;
mod export;
mod files;
mod import;

#[derive(Debug, Parser)]
#[command(name = "folio", version, about = "A headless CMS: articles, sections and tags over a JSON API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document to stdout.
    Openapi,
    /// Publish the demo article (a clinic's post on dry needling) with its section, tags and author.
    SeedDemo {
        /// A Markdown file with front matter to publish instead of the built-in demo article.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Write every article (Markdown with front matter), section, tag and user (no
    /// password hashes) to DIR, which must be new or empty.
    Export { dir: PathBuf },
    /// Read what `export` wrote into this database: articles, sections and tags matched
    /// by slug, users by email (one already there is left as it is); all of it or, on
    /// bad input, nothing.
    Import { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; the password is read as one line from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// admin, editor or author.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Defaults to the part of the email before '@'.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Set a user's password (an imported user has none); read as one line from standard input.
    SetPassword {
        #[arg(long)]
        email: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("'{text}' is not a role: use admin, editor or author"))
}

fn init_tracing() -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => {
            EnvFilter::try_new(value.trim()).map_err(|e| anyhow!("RUST_LOG: not a valid filter: {e}"))?
        }
        Ok(_) | Err(std::env::VarError::NotPresent) => EnvFilter::new("info"),
        Err(std::env::VarError::NotUnicode(_)) => bail!("RUST_LOG: is not valid UTF-8"),
    };
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match LogFormat::from_env()? {
        LogFormat::Json => subscriber.json().init(),
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            subscriber.with_ansi(colour).init();
        }
    }
    Ok(())
}

/// Runs the command line; errors end in one line on stderr and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "folio: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Err(err) = dotenvy::dotenv() {
        if !err.not_found() {
            bail!(".env: {err}");
        }
    }
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        std::io::stdout().write_all(crate::api::openapi::document().as_bytes())?;
        return Ok(());
    }
    init_tracing()?;
    let settings = Settings::from_env()?;
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let db = crate::db::Database::open(&settings.database_url, &settings.database_tuning)?;
            let applied = db.migrate()?;
            tracing::info!(count = applied.len(), "migrations applied");
            Ok(())
        }
        Command::User { command: UserCommand::Create { email, role, display_name } } => {
            create_user(&settings, &email, role, display_name)
        }
        Command::User { command: UserCommand::SetPassword { email } } => set_password(&settings, &email),
        Command::SeedDemo { file } => demo::seed(&settings, file.as_deref()),
        Command::Export { dir } => export::export(&settings, &dir),
        Command::Import { dir } => import::import(&settings, &dir),
        Command::Openapi => Ok(()),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let addresses: Vec<String> = settings.bind.iter().map(ToString::to_string).collect();
        let app = Application::build(settings)?;
        tracing::info!(addresses = addresses.join(" "), port = app.port(), "folio is listening");
        app.run_until_stopped().await.context("the server stopped")
    })
}

/// One line of standard input, checked as a password.
fn read_password() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\n', '\r']);
    Password::try_from(password).map_err(|problem| anyhow!("the password (read from stdin) {problem}"))
}

fn create_user(settings: &Settings, email: &str, role: Role, display_name: Option<String>) -> anyhow::Result<()> {
    let password = read_password()?;
    let email = Email::try_from(email).map_err(|_| anyhow!("--email: '{email}' is not an email address"))?.into_inner();
    let display_name = display_name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let db = open_database(settings)?;
    let hash = password::hash(password.as_str()).map_err(|e| anyhow!("hashing the password: {e}"))?;
    let user = users::create(
        &mut *db.writer()?,
        users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: display_name.trim(),
            role: role.as_str(),
            bio: None,
        },
    )
    .map_err(|e| match e {
        store::StoreError::Conflict { .. } => anyhow!("--email: a user with this email already exists"),
        other => anyhow!(other),
    })?;
    writeln!(std::io::stdout(), "created {} user {} ({})", role.as_str(), user.id, user.email)?;
    Ok(())
}

fn set_password(settings: &Settings, email: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    let email = Email::try_from(email).map_err(|_| anyhow!("--email: '{email}' is not an email address"))?.into_inner();
    let db = open_database(settings)?;
    let mut conn = db.writer()?;
    let user =
        users::find_for_login(&mut conn, &email)?.ok_or_else(|| anyhow!("--email: no user has the email {email}"))?;
    let hash = password::hash(password.as_str()).map_err(|e| anyhow!("hashing the password: {e}"))?;
    let changes = users::UserChanges { password_hash: Some(hash), ..users::UserChanges::default() };
    users::update(&mut conn, user.id, changes)?;
    writeln!(std::io::stdout(), "set the password of user {} ({email})", user.id)?;
    Ok(())
}

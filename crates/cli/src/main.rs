//! `hearth`: the command line. The edge of the system: it reads the clock, opens the
//! database, and reports errors to a person in one sentence.

mod backup;
mod clock;
mod due;
mod generate;
mod import;
mod org;
mod scorecard;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use hearth_app::{App, AppError, Caller, ChainStatus, DatabaseState, NewUser};
use hearth_domain::access::{Role, UserName};
use jiff::civil::Date;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Hearth: children's services records, timescales and returns.
#[derive(Debug, Parser)]
#[command(name = "hearth", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create hearth-demo.db with a synthetic county (if it is not there yet) and serve it.
    Demo {
        /// The authority to simulate.
        #[arg(long, default_value = "kent")]
        preset: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Where browsers find Hearth, e.g. https://hearth.example.gov.uk (default: the
        /// address served, as http://localhost:PORT or http://127.0.0.1:PORT).
        #[arg(long, env = "HEARTH_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
    },
    /// Generate a synthetic county into a new database and print its rates beside England's.
    Generate {
        /// kent, wiltshire, central-bedfordshire or coventry.
        #[arg(long)]
        preset: String,
        /// Years of activity, ending on --until.
        #[arg(long, default_value_t = 10)]
        years: u32,
        /// The same preset, seed, scale, years and --until give the identical journal.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Multiplies the authority's child population (0.01 for a small test county).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// The last day of the journal, YYYY-MM-DD (default: today).
        #[arg(long)]
        until: Option<Date>,
        #[arg(long, env = "HEARTH_DB")]
        db: String,
    },
    /// Serve the web pages and the API.
    Serve {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Where browsers find Hearth, e.g. https://hearth.example.gov.uk (default: the
        /// address served, as http://localhost:PORT or http://127.0.0.1:PORT). Requests
        /// that change something from any other origin are refused.
        #[arg(long, env = "HEARTH_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
    },
    /// What is overdue, due in the next 10 working days, and met late in the last month,
    /// per team and worker.
    Due {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        /// The day to draw the list up as at, YYYY-MM-DD (default: today).
        #[arg(long)]
        as_at: Option<String>,
        /// Only the children allocated to this team (its id).
        #[arg(long)]
        team: Option<String>,
        /// Only the children allocated to this worker (their id).
        #[arg(long)]
        worker: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: due::Format,
    },
    /// Each indicator for a month, for the authority and each row of a breakdown, with
    /// target, red/amber/green and the thirteen months' trend. Figures only, naming nobody.
    Scorecard {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        /// The month, YYYY-MM: from the journal's first year up to this month.
        #[arg(long)]
        month: String,
        #[arg(long, value_enum, default_value = "authority")]
        by: scorecard::By,
        #[arg(long, value_enum, default_value = "table")]
        format: scorecard::Format,
    },
    /// Recreate every projection from the journal.
    Rebuild {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
    },
    /// The organisation document: the council's teams, workers and policy.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Export or import the journal as JSON lines, one event a line.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Bring records in from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Check the records nobody may rewrite.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The people who sign in.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bearer tokens for partner systems calling the API.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Copy a SQLite database to a new file, consistently, while it may be in use.
    Backup {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        /// The copy; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup as a new SQLite database, once its hash chains are checked.
    Restore {
        /// The backup made by `hearth backup`.
        file: PathBuf,
        /// Where the restored database goes; it must not exist yet.
        #[arg(long, env = "HEARTH_DB")]
        db: String,
    },
    /// Make a child's record visible only to the users named (an adoption, a staff
    /// member's relative), or with --lift to every role that may read records again.
    #[command(group(clap::ArgGroup::new("who").required(true).args(["users", "lift"])))]
    Restrict {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        #[arg(long)]
        child: String,
        /// A user who may see the record; repeat for each.
        #[arg(
            long = "user",
            required_unless_present = "lift",
            conflicts_with = "lift"
        )]
        users: Vec<String>,
        #[arg(long)]
        lift: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from standard input, never from the command
    /// line (where other users of the machine could see it).
    Add {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        #[arg(long)]
        name: String,
        /// screener, early-help-worker, social-worker, team-manager, iro, partner,
        /// analyst, auditor or admin.
        #[arg(long)]
        role: String,
        /// The worker in the organisation document the user is (a practitioner), whose
        /// caseload is theirs.
        #[arg(long)]
        worker: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for a user and print it; only its hash is stored, so it is shown
    /// this once.
    Create {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        #[arg(long)]
        user: String,
    },
    /// Revoke a token by its label (the `tok-…` part).
    Revoke {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        #[arg(long)]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chains of the journal and the access log; fail at the first
    /// broken link, naming the row.
    Verify {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Receive the contacts in FILE, a CSV file with one row per person (rows sharing
    /// contact_ref are one contact), all or none; prints each contact_ref's new id.
    Contacts {
        file: PathBuf,
        #[arg(long, env = "HEARTH_DB")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Print the version in force today as TOML (a file `org apply` takes back).
    Show {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
    },
    /// Check a council's own organisation file and store it as a new version in force
    /// from --from; earlier versions are kept.
    Apply {
        file: PathBuf,
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        /// The first day the version is in force, YYYY-MM-DD (default: today).
        #[arg(long)]
        from: Option<Date>,
    },
}

#[derive(Debug, Subcommand)]
enum JournalCommand {
    /// Write the journal (or one child's journey) to standard output.
    Export {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        /// Only this child's events.
        #[arg(long)]
        child: Option<String>,
    },
    /// Append the events in FILE, validated, all or nothing.
    Import {
        #[arg(long, env = "HEARTH_DB")]
        db: String,
        file: PathBuf,
    },
}

// Generating a county allocates and frees millions of small strings and vectors across
// three threads; glibc's malloc spent about a third of `hearth generate`'s time on them.
// mimalloc's `override` feature also takes the C library's malloc, so SQLite's copies of
// every bound value come from it too (about 30% less CPU in SQLite's threads).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The demo database, in the directory `hearth demo` is run from.
const DEMO_DB: &str = "hearth-demo.db";
/// The demo county spans five years, enough for every timescale and trend.
const DEMO_YEARS: u32 = 5;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hearth: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if reader_went_away(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hearth: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` came of writing to a pipe whose reader has gone (`hearth org show |
/// head`): nothing went wrong, so Hearth stops quietly, as other command-line tools do.
fn reader_went_away(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Print `text` to standard output, handing back a failure to write (a closed pipe)
/// rather than panicking as `print!` does.
fn print_out(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Fill the due list's cache (see `hearth_app::due`) for the children a list as at
/// `as_at` reads. Without it the first list is only slower, so a failure is told, not
/// fatal.
async fn warm_due_cache(app: &App, as_at: Date) {
    if let Err(e) = hearth_app::due::warm_due_cache(app.store(), as_at).await {
        eprintln!(
            "the due list's cache was not filled ({e}); the first `hearth due` will be slower"
        );
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo {
            preset,
            addr,
            public_origin,
        } => demo(&preset, addr, public_origins(public_origin)?).await,
        Command::Generate {
            preset,
            years,
            seed,
            scale,
            until,
            db,
        } => {
            let request = generate::Request {
                preset,
                years,
                seed,
                scale,
                until: until.unwrap_or_else(clock::today),
            };
            let app = App::new(open(&db).await?);
            let generated = generate::generate(&app, &request, generate::progress_bar()).await?;
            print_out(&generate::report(&request, &generated))?;
            Ok(())
        }
        Command::Backup { db, out } => backup::backup(&db, &out).await,
        Command::Restore { file, db } => backup::restore(&file, &db).await,
        Command::Serve {
            db,
            addr,
            public_origin,
        } => {
            let origins = public_origins(public_origin)?;
            serve(open_existing(&db).await?, addr, origins).await
        }
        Command::Due {
            db,
            as_at,
            team,
            worker,
            format,
        } => {
            let request = due::Request {
                as_at,
                team,
                worker,
                format,
            };
            let app = App::new(open_existing(&db).await?);
            let mut out = std::io::BufWriter::new(std::io::stdout());
            due::due(&app, &request, clock::now(), clock::today(), &mut out).await
        }
        Command::Scorecard {
            db,
            month,
            by,
            format,
        } => {
            let request = scorecard::Request { month, by, format };
            let app = App::new(open_existing(&db).await?);
            let mut out = std::io::BufWriter::new(std::io::stdout());
            scorecard::scorecard(&app, &request, clock::now(), &mut out).await
        }
        Command::Rebuild { db } => {
            let app = App::new(open_existing(&db).await?);
            let caller = Caller::command_line("hearth rebuild");
            let report = app.rebuild(&caller, clock::now()).await?;
            warm_due_cache(&app, clock::today()).await;
            println!(
                "rebuilt the projections of {} children, {} families and {} contacts from {} events",
                report.children, report.families, report.contacts, report.events
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => audit_verify(&db).await,
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    name,
                    role,
                    worker,
                    password_stdin,
                },
        } => user_add(&db, &name, &role, worker.as_deref(), password_stdin).await,
        Command::Token {
            command: TokenCommand::Create { db, user },
        } => {
            let user = UserName::parse(&user)?;
            let app = App::new(open_existing(&db).await?);
            let caller = Caller::command_line("hearth token create");
            let new = app.create_token(&caller, clock::now(), &user).await?;
            println!("{}", new.token);
            eprintln!(
                "token {} created for {user}; it is shown only now, so store it safely",
                new.label
            );
            Ok(())
        }
        Command::Restrict {
            db,
            child,
            users,
            lift: _,
        } => restrict(&db, &child, &users).await,
        Command::Token {
            command: TokenCommand::Revoke { db, label },
        } => {
            let app = App::new(open_existing(&db).await?);
            let caller = Caller::command_line("hearth token revoke");
            if !app.revoke_token(&caller, clock::now(), &label).await? {
                bail!("there is no live token labelled {label}");
            }
            println!("token {label} revoked");
            Ok(())
        }
        Command::Org { command } => match command {
            OrgCommand::Show { db } => {
                let app = App::new(open_existing(&db).await?);
                print_out(&org::show(&app, clock::now(), clock::today()).await?)?;
                Ok(())
            }
            OrgCommand::Apply { file, db, from } => {
                let name = file.display().to_string();
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("could not read {name}"))?;
                // Checked before the database is opened: a bad file changes nothing.
                let organisation = org::parse(&name, &text)?;
                let from = from.unwrap_or_else(clock::today);
                let app = App::new(open(&db).await?);
                let revision = org::apply(&app, clock::now(), &organisation, from).await?;
                // The due list's rules may have changed: fill its cache again.
                warm_due_cache(&app, clock::today()).await;
                println!(
                    "stored {name} as revision {revision} of the organisation, in force from {from}"
                );
                Ok(())
            }
        },
        Command::Import {
            command: ImportCommand::Contacts { file, db },
        } => import::contacts(&file, &db).await,
        Command::Journal { command } => match command {
            JournalCommand::Export { db, child } => {
                let app = App::new(open_existing(&db).await?);
                let child = child
                    .map(|c| hearth_domain::ids::ChildId::parse(&c))
                    .transpose()
                    .context("--child is not a child id")?;
                let caller = Caller::command_line("hearth journal export");
                let mut out = std::io::BufWriter::new(std::io::stdout());
                app.export_journal(&caller, clock::now(), child.as_ref(), &mut out)
                    .await?;
                out.flush().context("could not write the export")?;
                Ok(())
            }
            JournalCommand::Import { db, file } => {
                let name = file.display().to_string();
                let reader = std::fs::File::open(&file)
                    .map(std::io::BufReader::new)
                    .with_context(|| format!("could not open {name}"))?;
                let events = hearth_app::journal_io::parse(&name, reader)?;
                let app = App::new(open(&db).await?);
                let caller = Caller::command_line("hearth journal import");
                let n = app
                    .import_journal(&caller, clock::now(), &name, events)
                    .await?;
                warm_due_cache(&app, clock::today()).await;
                println!("imported {n} events from {name}");
                Ok(())
            }
        },
    }
}

/// `hearth audit verify`: one line per chain; an error (and so a non-zero exit) naming
/// the first broken link if either is broken.
async fn audit_verify(db: &str) -> anyhow::Result<()> {
    let app = App::new(open_existing(db).await?);
    let caller = Caller::command_line("hearth audit verify");
    let report = app.verify_chains(&caller, clock::now()).await?;
    for (name, status) in [
        ("journal", &report.journal),
        ("access log", &report.access_log),
    ] {
        match status {
            ChainStatus::Intact { rows } => println!("{name}: {rows} rows, chain intact"),
            ChainStatus::Broken { reason, .. } => println!("{name}: BROKEN: {reason}"),
        }
    }
    if !report.intact() {
        bail!("the audit chain is broken; the rows named above were changed outside Hearth");
    }
    Ok(())
}

/// `hearth user add`: the password comes from standard input, hashed before it is
/// stored.
async fn user_add(
    db: &str,
    name: &str,
    role: &str,
    worker: Option<&str>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let name = UserName::parse(name)?;
    let role: Role = role.parse()?;
    let worker = worker
        .map(hearth_domain::ids::WorkerId::parse)
        .transpose()
        .context("--worker is not a worker id")?;
    if !password_stdin {
        bail!("give the password on standard input, with --password-stdin");
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("could not read the password from standard input")?;
    let password = input
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&input);
    let mut user = NewUser::new(name.clone(), role, password)?;
    if let Some(worker) = worker {
        user = user.with_worker(worker);
    }
    let app = App::new(open(db).await?);
    let caller = Caller::command_line("hearth user add");
    app.add_user(&caller, clock::now(), user).await?;
    println!("added {name} as {role}");
    Ok(())
}

/// Restrict `child`'s record to `users` (none: lift the restriction), and log it.
async fn restrict(db: &str, child: &str, users: &[String]) -> anyhow::Result<()> {
    let child = hearth_domain::ids::ChildId::parse(child).context("--child is not a child id")?;
    let users = users
        .iter()
        .map(|u| UserName::parse(u))
        .collect::<Result<Vec<_>, _>>()
        .context("--user is not a user name")?;
    let app = App::new(open_existing(db).await?);
    let caller = Caller::command_line("hearth restrict");
    let action = match app.restrict(&caller, clock::now(), &child, &users).await {
        Err(AppError::NoChild) => bail!("there is no child {child}"),
        done => done?,
    };
    println!("{child}: {action}");
    Ok(())
}

/// Open (creating if needed) the database `db` names.
async fn open(db: &str) -> anyhow::Result<Arc<dyn hearth_store::Store>> {
    hearth_store::open(db)
        .await
        .with_context(|| format!("could not open the database {db}"))
}

/// Open a database that must already exist: reading commands never create an empty one.
async fn open_existing(db: &str) -> anyhow::Result<Arc<dyn hearth_store::Store>> {
    let is_sqlite = !db.contains("://") || db.starts_with("sqlite://");
    let path = db.strip_prefix("sqlite://").unwrap_or(db);
    if is_sqlite && !Path::new(path).exists() {
        bail!(
            "there is no database at {path}; create one with `hearth generate` or `hearth journal import`"
        );
    }
    open(db).await
}

/// `--public-origin`, read.
fn public_origins(given: Option<String>) -> anyhow::Result<Option<hearth_web::PublicOrigins>> {
    given
        .map(|url| hearth_web::PublicOrigins::parse(&url))
        .transpose()
        .context("--public-origin (or HEARTH_PUBLIC_ORIGIN) cannot be used")
}

async fn serve(
    store: Arc<dyn hearth_store::Store>,
    addr: SocketAddr,
    origins: Option<hearth_web::PublicOrigins>,
) -> anyhow::Result<()> {
    println!("Hearth is serving on http://{addr} (ctrl-c to stop)");
    let clock: hearth_web::Clock = Arc::new(clock::now);
    hearth_web::serve(store, addr, clock, origins)
        .await
        .context("the web server stopped")
}

/// `hearth demo`: generate the demo county once, then serve it.
async fn demo(
    preset: &str,
    addr: SocketAddr,
    origins: Option<hearth_web::PublicOrigins>,
) -> anyhow::Result<()> {
    let caller = Caller::command_line("hearth demo");
    let mut store = open(DEMO_DB).await?;
    let state = App::new(store.clone())
        .database_state(&caller, clock::now())
        .await?;
    if state != DatabaseState::Complete {
        if state == DatabaseState::Unfinished {
            // The file holds only synthetic data, so start again.
            println!("{DEMO_DB} was left unfinished by an interrupted demo; generating it again");
            drop(store);
            remove_database(Path::new(DEMO_DB))?;
            store = open(DEMO_DB).await?;
        }
        let request = generate::Request {
            preset: preset.to_owned(),
            years: DEMO_YEARS,
            seed: 1,
            scale: 1.0,
            until: clock::today(),
        };
        println!(
            "Generating the demo county ({preset}, {DEMO_YEARS} years) into {DEMO_DB}; this happens once."
        );
        let app = App::new(store.clone());
        let generated = generate::generate(&app, &request, generate::progress_bar()).await?;
        print_out(&generate::report(&request, &generated))?;
    }
    demo_users(&App::new(store.clone())).await?;
    // Browsers keep the session's Secure cookie over plain HTTP only for localhost.
    let host = if addr.ip().is_loopback() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    };
    println!(
        "\nSign in at http://{host}/sign-in as any of these demo users (user name / password):"
    );
    for role in Role::ALL {
        println!("  {:<18} {}", role.name(), demo_password(role));
    }
    println!(
        "The demo users' passwords are printed here for the demo only: never use them on real data.\n"
    );
    serve(store, addr, origins).await
}

/// The demo user for `role` signs in with this.
fn demo_password(role: Role) -> String {
    format!("{}-demo-password", role.name())
}

/// One demo user per role, named after the role, added unless already there; each
/// practitioner linked to a generated worker in their role, so that My work and My team
/// are full.
async fn demo_users(app: &App) -> anyhow::Result<()> {
    let caller = Caller::command_line("hearth demo");
    let mut missing = Vec::new();
    for role in Role::ALL {
        let name = UserName::parse(role.name())?;
        if !app.user_exists(&caller, clock::now(), &name).await? {
            missing.push((name, role));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let workers = demo_workers(app, &caller).await?;
    for (name, role) in missing {
        let mut user = NewUser::new(name, role, &demo_password(role))?;
        if let Some(worker) = workers.get(&role) {
            user = user.with_worker(worker.clone());
        }
        app.add_user(&caller, clock::now(), user).await?;
    }
    Ok(())
}

/// For each practitioner role, the generated worker in post today whose caseload is the
/// largest (for a team manager, the manager of the team holding the most children; a
/// screener or an IRO holds none, so the first in post).
async fn demo_workers(
    app: &App,
    caller: &Caller,
) -> anyhow::Result<std::collections::BTreeMap<Role, hearth_domain::ids::WorkerId>> {
    use hearth_domain::caseload::role_fits;
    let now = clock::now();
    let authority = app.authority(clock::today()).await?;
    let Some(org) = authority.organisation.as_ref() else {
        return Ok(std::collections::BTreeMap::new());
    };
    // (cases, worker) per role: the most cases wins, the first listed on a tie.
    let mut best: std::collections::BTreeMap<Role, (u32, hearth_domain::ids::WorkerId)> =
        std::collections::BTreeMap::new();
    for (_, _, team) in org.teams() {
        let caseloads = app.team(caller, now, &team.id).await?;
        let team_cases: u32 = caseloads.workers.iter().map(|m| m.load.cases).sum();
        for member in &caseloads.workers {
            let Some(worker) = org.worker(&member.load.worker) else {
                continue;
            };
            let cases = if worker.role == hearth_domain::org::WorkerRole::TeamManager {
                team_cases
            } else {
                member.load.cases
            };
            for role in Role::ALL.into_iter().filter(|r| role_fits(*r, worker.role)) {
                let better = best.get(&role).is_none_or(|(most, _)| cases > *most);
                if better {
                    best.insert(role, (cases, worker.id.clone()));
                }
            }
        }
    }
    Ok(best.into_iter().map(|(role, (_, w))| (role, w)).collect())
}

/// Remove a SQLite database and its write-ahead log files.
fn remove_database(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("could not remove {}", file.display()));
            }
        }
    }
    Ok(())
}

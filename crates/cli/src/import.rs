//! `hearth import contacts FILE.csv`: a partner's or an old system's contacts, read and
//! checked whole (`hearth_app::intake::read_csv`) before the database is opened, then
//! received in one write, so a bad row changes nothing.

use crate::{clock, open_existing};
use anyhow::{Context, bail};
use hearth_app::{App, Caller};
use std::path::Path;

pub async fn contacts(file: &Path, db: &str) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("could not read {name}"))?;
    let contacts = match hearth_app::intake::read_csv(&bytes, clock::today()) {
        Ok(contacts) => contacts,
        Err(refusal) => bail!("{name} {refusal}"),
    };
    let references: Vec<String> = contacts
        .iter()
        .map(|c| c.intake.partner_ref.clone().unwrap_or_default())
        .collect();
    let app = App::new(open_existing(db).await?);
    let caller = Caller::command_line("hearth import contacts");
    let ids = app
        .receive_batch(&caller, clock::now(), contacts)
        .await
        .with_context(|| format!("the contacts in {name} were not received"))?;
    for (reference, id) in references.iter().zip(&ids) {
        println!("{reference}\t{id}");
    }
    eprintln!("received {} contacts from {name}", ids.len());
    Ok(())
}

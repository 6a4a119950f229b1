//! `vetis backup --out FILE` and `vetis restore FILE`: a consistent online copy of the database
//! with its key's fingerprint, and its restore into an empty database with the matching key.

use std::path::PathBuf;

use super::{Cli, Refused};
use crate::messages::Lang;
use crate::store::audit::{self, Entry, os_user};
use crate::store::{Db, StoreError, backup};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// 备份文件（ZIP：清单与数据库副本；不含密钥） / the backup file (ZIP: manifest and database copy; never the key)
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// `vetis backup` 写出的备份文件 / a file written by `vetis backup`
    pub file: PathBuf,
}

fn refuse(e: StoreError, lang: Lang) -> anyhow::Error {
    match e.message() {
        Some(m) => {
            eprintln!("vetis: {}", m.get(lang));
            Refused.into()
        }
        None => e.into(),
    }
}

pub async fn run_backup(cli: &Cli, args: &BackupArgs) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    eprintln!("{}", if zh { "vetis: 正在备份…" } else { "vetis: backing up…" });
    let m = backup::backup(&db, &cli.db, &args.out).await.map_err(|e| refuse(e, cli.lang))?;
    let rows: i64 = m.tables.iter().map(|(_, n)| n).sum();
    let detail = format!("{} tables, {rows} rows, key {}", m.tables.len(), m.key_fingerprint);
    audit::record(
        &db.pool,
        &Entry {
            actor: &os_user(),
            action: "backup",
            object: &args.out.display().to_string(),
            detail: &detail,
            source: "cli",
        },
    )
    .await?;
    if zh {
        println!(
            "已备份到 {}：{} 张表，共 {rows} 行，密钥指纹 {}（备份不含密钥文件，请另行妥善保存密钥）",
            args.out.display(),
            m.tables.len(),
            m.key_fingerprint
        );
    } else {
        println!(
            "backed up to {}: {} tables, {rows} rows, key fingerprint {} (the key file is not in the backup: keep it safe apart)",
            args.out.display(),
            m.tables.len(),
            m.key_fingerprint
        );
    }
    Ok(())
}

pub async fn run_restore(cli: &Cli, args: &RestoreArgs) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    let (m, key) = backup::restore(&args.file, &cli.db, cli.key_file.clone()).await.map_err(|e| refuse(e, cli.lang))?;
    let db = Db::open(&cli.db, Some(key)).await?;
    let restored = backup::table_counts(&db).await?;
    let differ: Vec<String> = m
        .tables
        .iter()
        .filter(|(t, n)| restored.iter().find(|(r, _)| r == t).map(|(_, c)| c) != Some(n))
        .map(|(t, n)| format!("{t} ({n})"))
        .collect();
    if !differ.is_empty() {
        eprintln!(
            "vetis: {}{}",
            if zh {
                "恢复后以下表的行数与备份清单不符："
            } else {
                "after the restore these tables differ from the manifest: "
            },
            differ.join(", ")
        );
        return Err(Refused.into());
    }
    let rows: i64 = restored.iter().map(|(_, n)| n).sum();
    audit::record(
        &db.pool,
        &Entry {
            actor: &os_user(),
            action: "restore",
            object: &args.file.display().to_string(),
            detail: &format!("backup of {}, {} tables, {rows} rows", m.created_at, m.tables.len()),
            source: "cli",
        },
    )
    .await?;
    if zh {
        println!(
            "已从 {}（{}）恢复 {} 张表，共 {rows} 行，与备份清单一致",
            args.file.display(),
            m.created_at,
            m.tables.len()
        );
    } else {
        println!(
            "restored {} tables, {rows} rows, from {} ({}), as the manifest lists them",
            m.tables.len(),
            args.file.display(),
            m.created_at
        );
    }
    Ok(())
}

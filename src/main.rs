use storefront::sandbox::standalone::{self, StandaloneArgs};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("sandbox") => standalone::run(StandaloneArgs::parse(args)?).await,
        _ => anyhow::bail!("{}", standalone::USAGE),
    }
}

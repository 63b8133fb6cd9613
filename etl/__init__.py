"""ETL: read the publishers' extracts and load them into the Oppvekstmonitor database."""

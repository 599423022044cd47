"""What a coach reads: the stored per-call results gathered into tables (Parquet and CSV), the
HTML pages built from those tables alone, and one self-contained folder per rep."""

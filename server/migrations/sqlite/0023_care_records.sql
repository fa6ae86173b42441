-- Where each municipality's care record is (SPEC C5): its identity
-- service's realm (issuer, the app's client there, the FHIR server's
-- resource indicator) and the FHIR R4 base URL. No row: no care record.
CREATE TABLE care_records (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities (code),
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    fhir_base TEXT NOT NULL
);

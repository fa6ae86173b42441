pub mod signature_pad;

//! The strict form decoder: any bytes either decode to valid UTF-8 fields or are refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(fields) = hushdesk::web::FormFields::parse(data) {
        // Every decoded value is valid UTF-8 by construction; touching it proves it.
        let _ = fields.get("body").map(str::len);
    }
});

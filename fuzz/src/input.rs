//! Reads structured input (choices, numbers, strings) out of the fuzzer's
//! bytes; past the end every read gives zero or an empty string.

pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        let Some((&first, rest)) = self.data.split_first() else {
            return 0;
        };
        self.data = rest;
        first
    }

    /// A length-prefixed (one byte) run of bytes.
    pub fn bytes(&mut self) -> &'a [u8] {
        let len = usize::from(self.u8()).min(self.data.len());
        let (taken, rest) = self.data.split_at(len);
        self.data = rest;
        taken
    }

    /// Up to the next `0xff` byte (never part of UTF-8 text), or the rest:
    /// lets a corpus file hold readable frames.
    pub fn text(&mut self) -> String {
        let end = self
            .data
            .iter()
            .position(|&b| b == 0xff)
            .unwrap_or(self.data.len());
        let (taken, rest) = self.data.split_at(end);
        self.data = rest.get(1..).unwrap_or_default();
        String::from_utf8_lossy(taken).into_owned()
    }
}

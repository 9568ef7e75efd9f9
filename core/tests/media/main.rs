//! Media module tests with the real codecs (openh264, libopus): one binary, one file per topic.

mod audio;
mod convert;
mod pattern;
mod video;

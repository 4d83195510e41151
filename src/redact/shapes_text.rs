//! Shapes of names, secrets in prose and postal addresses, each with negative controls.

//! khabar: a JSON REST API for Arabic news content.

pub mod api;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod openapi;
pub mod repo;
pub mod seed;
pub mod service;
pub mod startup;

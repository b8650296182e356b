//! Integration tests: the real app over HTTP against a fresh database.

mod archive;
mod articles;
mod auth;
mod changes;
mod cli;
mod comments;
mod copy;
mod cors;
mod editorial;
mod errors;
mod feeds;
mod helpers;
mod http_caching;
mod list_index;
mod list_items;
mod maintenance;
mod nginx;
mod nodes;
mod ops;
mod paging;
mod rate_limits;
mod replicas;
mod search;
mod taxonomy;
mod views;

//! Decision trees: an article whose body is a list of steps. A line `::: step-id` begins a
//! step (the first is where the tree starts); inside a step, Markdown, whose answers are
//! links to other steps (`[Yes](#printer-on)`). Checked on save: every link to a step names
//! one that exists, and every step can be reached from the first.

use std::collections::{BTreeMap, BTreeSet};

use super::render::link_targets;

/// One step: its id and its Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    pub body: String,
}

/// A checked tree, steps in written order (the first is the start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub steps: Vec<Step>,
}

/// Why a tree was refused: a catalogue key and the step it names, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    pub key: &'static str,
    pub step: String,
}

fn refuse(key: &'static str, step: &str) -> TreeError {
    TreeError {
        key,
        step: step.to_owned(),
    }
}

fn step_id(line: &str) -> Option<&str> {
    line.trim_end().strip_prefix(":::").map(str::trim)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Tree {
    pub fn parse(body: &str) -> Result<Tree, TreeError> {
        let mut steps: Vec<Step> = Vec::new();
        for line in body.lines() {
            match (step_id(line), steps.last_mut()) {
                (Some(id), _) => {
                    if !valid_id(id) {
                        return Err(refuse("kb-tree-bad-step", id));
                    }
                    if steps.iter().any(|s| s.id == id) {
                        return Err(refuse("kb-tree-duplicate-step", id));
                    }
                    steps.push(Step {
                        id: id.to_owned(),
                        body: String::new(),
                    });
                }
                (None, Some(step)) => {
                    step.body.push_str(line);
                    step.body.push('\n');
                }
                (None, None) if line.trim().is_empty() => {}
                (None, None) => return Err(refuse("kb-tree-text-before-step", "")),
            }
        }
        if steps.is_empty() {
            return Err(refuse("kb-tree-no-step", ""));
        }
        let ids: BTreeSet<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for step in &steps {
            let targets: Vec<String> = link_targets(&step.body)
                .into_iter()
                .filter_map(|t| t.strip_prefix('#').map(str::to_owned))
                .collect();
            if let Some(unknown) = targets.iter().find(|t| !ids.contains(t.as_str())) {
                return Err(refuse("kb-tree-unknown-step", unknown));
            }
            edges.insert(&step.id, targets);
        }
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        let mut next = vec![steps[0].id.as_str()];
        while let Some(id) = next.pop() {
            if reached.insert(id) {
                for target in edges.get(id).into_iter().flatten() {
                    next.push(target);
                }
            }
        }
        if let Some(orphan) = steps.iter().find(|s| !reached.contains(s.id.as_str())) {
            return Err(refuse("kb-tree-orphan-step", &orphan.id));
        }
        Ok(Tree { steps })
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn start(&self) -> &Step {
        &self.steps[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "::: start\nIs it on?\n\n- [Yes](#on)\n- [No](#off)\n\n\
                        ::: on\nCall us.\n\n::: off\nSwitch it on.\n";

    #[test]
    fn a_tree_whose_links_all_land_is_taken() {
        let tree = Tree::parse(GOOD).unwrap();
        assert_eq!(tree.start().id, "start");
        assert_eq!(tree.steps.len(), 3);
        assert!(tree.step("off").unwrap().body.contains("Switch"));
    }

    #[test]
    fn unknown_targets_orphans_and_empty_trees_are_refused() {
        let unknown = GOOD.replace("(#off)", "(#missing)");
        assert_eq!(
            Tree::parse(&unknown).unwrap_err(),
            refuse("kb-tree-unknown-step", "missing")
        );
        let orphan = format!("{GOOD}::: lost\nNobody links here.\n");
        assert_eq!(
            Tree::parse(&orphan).unwrap_err(),
            refuse("kb-tree-orphan-step", "lost")
        );
        assert_eq!(
            Tree::parse("no steps").unwrap_err().key,
            "kb-tree-text-before-step"
        );
        assert_eq!(Tree::parse("").unwrap_err().key, "kb-tree-no-step");
    }
}

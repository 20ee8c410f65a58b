//! Themes: semantic style roles loaded from TOML, built-ins embedded at build time, user themes
//! from the config dir, `NO_COLOR` selecting monochrome.

use ratatui::style::{Color, Modifier, Style};
use std::path::Path;

/// Built-in themes, embedded from `themes/` (a test checks this list equals the folder).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("light", include_str!("../themes/light.toml")),
    ("monochrome", include_str!("../themes/monochrome.toml")),
];

/// The semantic roles every theme defines (design §11).
pub const ROLES: &[&str] = &[
    "text",
    "muted",
    "accent",
    "border",
    "selection",
    "header",
    "key",
    "success",
    "warning",
    "error",
    "info",
    "privileged",
];

/// Resolved styles for each role.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub border: Style,
    pub selection: Style,
    pub header: Style,
    pub key: Style,
    pub success: Style,
    pub warning: Style,
    pub error: Style,
    pub info: Style,
    pub privileged: Style,
}

fn parse_color(s: &str) -> Option<Color> {
    let l = s.to_ascii_lowercase();
    if let Some(hex) = l.strip_prefix('#') {
        if hex.len() == 6 {
            let n = u32::from_str_radix(hex, 16).ok()?;
            return Some(Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8));
        }
        return None;
    }
    if let Ok(i) = l.parse::<u8>() {
        return Some(Color::Indexed(i));
    }
    Some(match l.as_str() {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

fn parse_style(role: &str, v: &toml::Value) -> Result<Style, String> {
    let key = |k: &str| format!("roles.{role}.{k}");
    let table = match v {
        toml::Value::String(s) => {
            let c =
                parse_color(s).ok_or_else(|| format!("`roles.{role}`: unknown colour \"{s}\""))?;
            return Ok(Style::new().fg(c));
        }
        toml::Value::Table(t) => t,
        _ => return Err(format!("`roles.{role}` must be a colour or a table")),
    };
    let mut style = Style::new();
    for (k, val) in table {
        match k.as_str() {
            "fg" | "bg" => {
                let s = val
                    .as_str()
                    .ok_or_else(|| format!("`{}` must be a string", key(k)))?;
                let c = parse_color(s)
                    .ok_or_else(|| format!("`{}`: unknown colour \"{s}\"", key(k)))?;
                style = if k == "fg" { style.fg(c) } else { style.bg(c) };
            }
            "bold" | "italic" | "underline" | "reversed" | "dim" => {
                let on = val
                    .as_bool()
                    .ok_or_else(|| format!("`{}` must be true or false", key(k)))?;
                let m = match k.as_str() {
                    "bold" => Modifier::BOLD,
                    "italic" => Modifier::ITALIC,
                    "underline" => Modifier::UNDERLINED,
                    "reversed" => Modifier::REVERSED,
                    _ => Modifier::DIM,
                };
                if on {
                    style = style.add_modifier(m);
                }
            }
            _ => return Err(format!("unknown key `{}`", key(k))),
        }
    }
    Ok(style)
}

impl Theme {
    /// Parse a theme file. Roles it leaves out come from `base`; any unknown key is an error that
    /// names the key.
    pub fn parse(name: &str, text: &str, base: Option<&Theme>) -> Result<Theme, String> {
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        let mut theme = base.cloned().unwrap_or_else(Theme::fallback);
        theme.name = name.to_string();
        for (k, v) in &doc {
            match k.as_str() {
                "name" => {}
                "roles" => {
                    let roles = v.as_table().ok_or("`roles` must be a table")?;
                    for (role, style) in roles {
                        let s = parse_style(role, style)?;
                        *theme
                            .role_mut(role)
                            .ok_or_else(|| format!("unknown key `roles.{role}`"))? = s;
                    }
                }
                other => return Err(format!("unknown key `{other}`")),
            }
        }
        if base.is_none() {
            let roles = doc.get("roles").and_then(|r| r.as_table());
            if let Some(missing) = ROLES
                .iter()
                .find(|r| !roles.is_some_and(|t| t.contains_key(**r)))
            {
                return Err(format!("missing key `roles.{missing}`"));
            }
        }
        Ok(theme)
    }

    /// A plain theme used only if the embedded default could not be parsed.
    fn fallback() -> Theme {
        let s = Style::new();
        Theme {
            name: "fallback".into(),
            text: s,
            muted: s.add_modifier(Modifier::DIM),
            accent: s.add_modifier(Modifier::BOLD),
            border: s,
            selection: s.add_modifier(Modifier::REVERSED),
            header: s.add_modifier(Modifier::BOLD),
            key: s.add_modifier(Modifier::BOLD),
            success: s,
            warning: s.add_modifier(Modifier::BOLD),
            error: s.add_modifier(Modifier::BOLD),
            info: s,
            privileged: s.add_modifier(Modifier::BOLD),
        }
    }

    fn role_mut(&mut self, role: &str) -> Option<&mut Style> {
        Some(match role {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "border" => &mut self.border,
            "selection" => &mut self.selection,
            "header" => &mut self.header,
            "key" => &mut self.key,
            "success" => &mut self.success,
            "warning" => &mut self.warning,
            "error" => &mut self.error,
            "info" => &mut self.info,
            "privileged" => &mut self.privileged,
            _ => return None,
        })
    }

    pub fn builtin(name: &str) -> Option<Theme> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Theme::parse(name, text, None).ok()
    }

    pub fn default_theme() -> Theme {
        Theme::builtin("default").unwrap_or_else(Theme::fallback)
    }

    /// Pick the theme to use: `--theme NAME` (a user file in `config_dir/themes/NAME.toml`
    /// overrides a built-in of the same name), else monochrome under `NO_COLOR`, else default.
    /// Returns a warning to show when the choice failed and the default was used instead.
    pub fn select(
        requested: Option<&str>,
        no_color: bool,
        config_dir: Option<&Path>,
    ) -> (Theme, Option<String>) {
        let name = match requested {
            Some(n) => n,
            None if no_color => "monochrome",
            None => "default",
        };
        let default = Theme::default_theme();
        if let Some(dir) = config_dir {
            let path = dir.join("themes").join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&path) {
                let base = Theme::builtin(name).unwrap_or_else(|| default.clone());
                return match Theme::parse(name, &text, Some(&base)) {
                    Ok(t) => (t, None),
                    Err(e) => (
                        default,
                        Some(format!(
                            "theme {}: {e}; using the default theme",
                            path.display()
                        )),
                    ),
                };
            }
        }
        match Theme::builtin(name) {
            Some(t) => (t, None),
            None => (
                default,
                Some(format!("unknown theme \"{name}\"; using the default theme")),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_equals_the_themes_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".toml")
                    .map(str::to_string)
            })
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn every_builtin_parses_with_all_roles() {
        for (name, text) in BUILTIN {
            Theme::parse(name, text, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn bad_key_is_named_and_default_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/mine.toml"),
            "[roles]\ntext = { fg = \"red\", blink = true }\n",
        )
        .unwrap();
        let (t, warn) = Theme::select(Some("mine"), false, Some(dir.path()));
        assert_eq!(t.name, "default");
        let w = warn.unwrap();
        assert!(w.contains("roles.text.blink"), "{w}");
    }

    #[test]
    fn bad_colour_is_named() {
        let e = Theme::parse(
            "x",
            "[roles]\nerror = { fg = \"ultraviolet\" }",
            Some(&Theme::default_theme()),
        )
        .unwrap_err();
        assert!(
            e.contains("roles.error.fg") && e.contains("ultraviolet"),
            "{e}"
        );
    }

    #[test]
    fn user_theme_overrides_a_builtin_partially() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/light.toml"),
            "[roles]\nerror = \"#ff0000\"\n",
        )
        .unwrap();
        let (t, warn) = Theme::select(Some("light"), false, Some(dir.path()));
        assert!(warn.is_none());
        assert_eq!(t.error.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.text, Theme::builtin("light").unwrap().text);
    }

    #[test]
    fn no_color_selects_monochrome_unless_a_theme_is_named() {
        let (t, _) = Theme::select(None, true, None);
        assert_eq!(t.name, "monochrome");
        assert!(t.text.fg.is_none() && t.selection.bg.is_none());
        let (t, _) = Theme::select(Some("light"), true, None);
        assert_eq!(t.name, "light");
    }

    #[test]
    fn unknown_theme_warns() {
        let (t, w) = Theme::select(Some("neon"), false, None);
        assert_eq!(t.name, "default");
        assert!(w.unwrap().contains("neon"));
    }
}
